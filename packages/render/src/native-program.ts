// A compiled nunjucks-syntax template and how one render of it runs: its own context, frames
// and runtime, all bound to the render's budget, and the one frozen environment.
import { compileNativeSource } from './compile-native.js';
import type { CallContext } from './functions/types.js';
import { nativeEnvironment } from './native-library.js';
import { NativeContext, createNativeRuntime, rootFrame } from './native-runtime.js';

type RootFunction = (
  env: unknown,
  context: unknown,
  frame: unknown,
  runtime: unknown,
  cb: (error: unknown, output: string) => void,
) => void;

export interface NativeProgram {
  /** Approximate memory the compilation holds, in bytes. */
  readonly estimatedBytes: number;
  /** Renders once; throws what the template threw (positioned, see native-runtime.ts). */
  render(variables: Readonly<Record<string, unknown>>, call: CallContext): string;
}

/** Checks and compiles a nunjucks template (see compile-native.ts). */
export function compileNative(text: string): NativeProgram {
  const code = compileNativeSource(text);
  // The code is our compilation of a checked tree: no template text in it is unescaped, and
  // everything it reads goes through the runtime passed to root(). Strict mode: an assignment to
  // an undeclared name fails instead of creating a global.
  const module = new Function(`"use strict";\n${code}`)() as { root: RootFunction };
  const root = module.root;
  return Object.freeze({
    estimatedBytes: 512 + 4 * text.length + 4 * code.length,
    render(variables: Readonly<Record<string, unknown>>, call: CallContext): string {
      const state = Object.freeze({ budget: call.budget, call });
      const context = new NativeContext(variables, nativeEnvironment, state);
      let done = false;
      let error: unknown = null;
      let output = '';
      // Rendering is synchronous (no asynchronous filters): root() calls back before it returns.
      root(
        nativeEnvironment,
        context,
        rootFrame(call.budget),
        createNativeRuntime(state),
        (e, o) => {
          done = true;
          error = e;
          output = o;
        },
      );
      if (!done) throw new Error('internal error: the template did not finish synchronously');
      // handleError (native-runtime.ts) always passes an Error.
      if (error !== null && error !== undefined)
        throw error instanceof Error ? error : new Error(String(error));
      return output;
    },
  });
}

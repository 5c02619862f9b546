// The LynqForm controller (reference §3.2): validation as the Valid condition, node counts and
// the rollout, including Failed once progressDeadlineSeconds passes.
import {
  Kinds,
  type FieldIssue,
  type LynqForm,
  type LynqFormStatus,
  type LynqNode,
} from '@lynq/api';
import { checkForm, computeFormStatus, equalStatus } from '@lynq/plan';
import {
  isNotFound,
  type KubeObject,
  patchStatus,
  type ReconcileContext,
  type Request,
  type Result,
} from '@lynq/runtime';
import { FormType, type OperatorContext } from './context.js';
import { parsedForm } from './parsed.js';

export class FormController {
  /** Spec checks by form and generation (templates run in the render host): once per change. */
  private readonly specIssues = new Map<
    string,
    { uid: string | undefined; generation: number; errors: FieldIssue[] }
  >();

  constructor(private readonly ctx: OperatorContext) {}

  readonly reconcile = async (req: Request, rc: ReconcileContext): Promise<Result | void> => {
    const obj = this.ctx.forms.store.get(req.name, req.namespace);
    const namespace = req.namespace ?? '';
    if (obj === undefined) {
      this.specIssues.delete(`${namespace}/${req.name}`);
      this.ctx.events.form.forget(Kinds.Form, req.namespace, req.name);
      this.ctx.metrics.formDeleted(namespace, req.name);
      return;
    }
    const parsed = parsedForm(obj);
    // Status only needs the names of an invalid form; the errors say what is wrong with the rest.
    const form = parsed.ok ? parsed.value : (obj as unknown as LynqForm);
    const errors = await this.specErrors(obj);
    const hubId = (obj['spec'] as { hubId?: string } | undefined)?.hubId ?? '';
    const nodes = this.ctx.nodes.store.list({ namespace }) as unknown as LynqNode[];
    const result = computeFormStatus({
      form,
      hubFound: this.ctx.hubs.store.get(hubId, namespace) !== undefined,
      errors,
      nodes,
      now: new Date(),
    });
    for (const e of result.events) this.ctx.events.form.plan(e);
    if (!equalStatus(obj['status'], result.status)) {
      try {
        await patchStatus(this.ctx.client, FormType, obj, result.status, rc.signal);
      } catch (err) {
        if (!isNotFound(err)) throw err; // deleted meanwhile: nothing to report on
        return;
      }
    }
    const rollout = result.status.rollout;
    this.ctx.metrics.formRollout(
      namespace,
      req.name,
      rollout?.phase === undefined
        ? undefined
        : {
            updating: rollout.updatingNodes ?? 0,
            phase: rollout.phase,
            progress: result.progressPercent,
          },
    );
    return this.deadline(form, rollout);
  };

  /** Wakes the form when its rollout would pass the progress deadline. */
  private deadline(form: LynqForm, rollout: LynqFormStatus['rollout']): Result | void {
    const seconds = form.spec?.rollout?.progressDeadlineSeconds;
    if (rollout?.phase !== 'InProgress' || !seconds || !rollout.startTime) return;
    const due = Date.parse(rollout.startTime) + seconds * 1000 - Date.now();
    if (due > 0) return { requeueAfter: due + 500 };
  }

  /**
   * Every error of the spec (the checks the admission webhook runs; templates in the render
   * host, where a check that costs its process refuses the form), once per generation: a form
   * reconciles whenever its nodes progress, and its spec has not changed then.
   */
  private async specErrors(obj: KubeObject): Promise<FieldIssue[]> {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    const generation = obj.metadata.generation ?? 0;
    const cached = this.specIssues.get(key);
    if (cached?.generation === generation && cached.uid === obj.metadata.uid) return cached.errors;
    const checked = await checkForm(obj, {
      templates: (form) => this.ctx.host.validateForm(form),
      targets: this.ctx.targets,
    });
    const errors = checked.ok ? [] : checked.errors;
    this.specIssues.set(key, { uid: obj.metadata.uid, generation, errors });
    return errors;
  }
}

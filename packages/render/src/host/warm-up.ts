// A fresh render process compiles the engine's hot paths as it goes: the first few thousand
// nodes render at half speed. It warms up before it reports ready, on a form of its own with
// the constructs and functions forms use most, so that the host's first reconcile runs at speed.
import { compileForm, type RenderSource } from '../render-form.js';

const WARM_UP_FORM: RenderSource = {
  spec: {
    deployments: [
      {
        id: 'app',
        nameTemplate: '{{ .uid | trunc63 }}-app',
        labelsTemplate: { app: '{{ .uid }}', plan: '{{ .planId | default "basic" }}' },
        annotationsTemplate: { sum: '{{ printf "%s-%s" .uid .planId | sha1sum | trunc 16 }}' },
        spec: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          spec: {
            replicas: '{{ .replicas | default "2" | int }}',
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: '{{ .image | default "nginx:latest" }}',
                    args: ['--tenant={{ .uid }}', '--region={{ .region | default "eu" | lower }}'],
                    env: [
                      { name: 'HOST', value: '{{ .url | toHost }}' },
                      { name: 'BETA', value: '{{ if eq .planId "pro" }}on{{ else }}off{{ end }}' },
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    ],
    configMaps: [
      {
        id: 'config',
        nameTemplate: '{{ .uid }}-config',
        spec: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          data: {
            json: '{{ dict "tenant" .uid "plan" .planId | toJson }}',
            key: '{{ printf "%s:%s" .uid .planId | sha256sum | b64enc }}',
            list: '{{ range $i, $x := list "a" "b" .uid }}{{ $i }}={{ $x | upper | quote }} {{ end }}',
            cpu: '{{ ternary "2" "500m" (eq .planId "pro") }}',
            name: '{{ .uid | replace "-" "_" }}',
          },
        },
      },
    ],
  },
} as unknown as RenderSource;

/** Renders the warm-up form `rounds` times; template problems are ignored (there are none). */
export function warmUp(rounds: number): void {
  const compiled = compileForm(WARM_UP_FORM);
  for (let i = 0; i < rounds; i++)
    compiled.render(
      {
        uid: `tenant-${i}`,
        planId: i % 2 ? 'pro' : '',
        replicas: String(i % 4),
        image: '',
        region: i % 3 ? 'US' : '',
        url: `https://t${i}.example.com/`,
      },
      { namespace: 'warm-up' },
    );
}

// A typical tenant form: six resources with the templates Lynq users write.
export const BENCH_FORM = `
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata:
  name: tenant-stack
spec:
  hubId: tenants
  deployments:
    - id: app
      nameTemplate: "{{ .uid | trunc63 }}-app"
      labelsTemplate:
        app.kubernetes.io/name: "{{ .uid }}"
        app.kubernetes.io/part-of: "{{ .templateRef }}"
        plan: "{{ .planId | default \\"basic\\" }}"
      annotationsTemplate:
        checksum/config: "{{ printf \\"%s-%s\\" .uid .planId | sha1sum | trunc 16 }}"
      dependIds: ["config", "secret"]
      spec:
        apiVersion: apps/v1
        kind: Deployment
        spec:
          replicas: "{{ index . \\"replicas\\" | default \\"2\\" | int }}"
          selector:
            matchLabels:
              app.kubernetes.io/name: "{{ .uid }}"
          template:
            metadata:
              labels:
                app.kubernetes.io/name: "{{ .uid }}"
            spec:
              containers:
                - name: app
                  image: "{{ .deployImage | default \\"nginx:latest\\" }}"
                  args: ["--tenant={{ .uid }}", "--region={{ .region | default \\"eu-west-1\\" | lower }}"]
                  ports:
                    - containerPort: "{{ 8080 | int }}"
                  env:
                    - name: TENANT_HOST
                      value: "{{ .domain | toHost }}"
                    - name: FEATURE_BETA
                      value: "{{ if eq .planId \\"enterprise\\" }}on{{ else }}off{{ end }}"
                  resources:
                    limits:
                      cpu: "{{ ternary \\"2\\" \\"500m\\" (eq .planId \\"enterprise\\") }}"
                      memory: 512Mi
  services:
    - id: svc
      nameTemplate: "{{ .uid | trunc63 }}-svc"
      dependIds: ["app"]
      spec:
        apiVersion: v1
        kind: Service
        spec:
          selector:
            app.kubernetes.io/name: "{{ .uid }}"
          ports:
            - port: 80
              targetPort: "{{ 8080 | int }}"
  ingresses:
    - id: ingress
      nameTemplate: "{{ .uid }}-ingress"
      dependIds: ["svc"]
      annotationsTemplate:
        cert-manager.io/cluster-issuer: letsencrypt
      spec:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        spec:
          rules:
            - host: "{{ .domain | toHost }}"
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: "{{ .uid | trunc63 }}-svc"
                        port:
                          number: 80
          tls:
            - hosts: ["{{ .domain | toHost }}"]
              secretName: "{{ .uid }}-tls"
  configMaps:
    - id: config
      nameTemplate: "{{ .uid }}-config"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data:
          tenant: "{{ .uid }}"
          plan: "{{ .planId | upper }}"
          settings.json: "{{ dict \\"tenant\\" .uid \\"plan\\" .planId \\"region\\" .region | toJson }}"
          maxUsers: "{{ .maxUsers | int }}"
  secrets:
    - id: secret
      nameTemplate: "{{ .uid }}-secret"
      deletionPolicy: Retain
      spec:
        apiVersion: v1
        kind: Secret
        type: Opaque
        data:
          apiKey: "{{ printf \\"%s:%s\\" .uid .hubId | sha256sum | b64enc }}"
          dbUrl: "{{ printf \\"postgres://%s@db:5432/%s\\" .uid (.uid | replace \\"-\\" \\"_\\") | b64enc }}"
  jobs:
    - id: migrate
      nameTemplate: "{{ .uid }}-migrate"
      creationPolicy: Once
      dependIds: ["secret"]
      spec:
        apiVersion: batch/v1
        kind: Job
        spec:
          backoffLimit: "{{ 3 | int }}"
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: "{{ .deployImage | default \\"nginx:latest\\" }}"
                  command: ["sh", "-c", "migrate --tenant {{ .uid | quote }}"]
`;

{{/*
Names and labels shared by every template of the chart (and by templates/rbac.yaml).
Cluster-scoped objects are named after lynq.fullname, so two releases never collide.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "lynq.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The release's object name prefix: fullnameOverride, else the release name when it already contains
the chart name (release "lynq" gives "lynq", so objects are named like the Go project's manifests:
lynq-controller-manager, lynq-metrics-service, ...), else "<release>-<chart>". At most 52
characters so that suffixes such as "-validating-webhook-configuration" stay readable; every name
built from it is cut at 63.
*/}}
{{- define "lynq.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "lynq-0.1.0", the helm.sh/chart label. */}}
{{- define "lynq.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The namespace of every namespaced object: namespaceOverride, else the release namespace. */}}
{{- define "lynq.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "lynq.labels" -}}
helm.sh/chart: {{ include "lynq.chart" . }}
{{ include "lynq.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lynq
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels that select the operator's pods (immutable in a Deployment: never add to them). */}}
{{- define "lynq.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lynq.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end -}}

{{/* commonAnnotations as a YAML map (empty when none). */}}
{{- define "lynq.annotations" -}}
{{- with .Values.commonAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/* The operator's ServiceAccount: "<fullname>-controller-manager" unless serviceAccount.name. */}}
{{- define "lynq.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-controller-manager" (include "lynq.fullname" .)) .Values.serviceAccount.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/repository:tag or registry/repository@digest. */}}
{{- define "lynq.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The port of a Go listen address (":8443", "0.0.0.0:8081", "[::]:9443"). */}}
{{- define "lynq.port" -}}
{{- regexFind "[0-9]+$" . -}}
{{- end -}}

{{/* Whether metrics are served at all (manager.metricsBindAddress is not "0"). */}}
{{- define "lynq.metricsEnabled" -}}
{{- if and .Values.manager.metricsBindAddress (ne (toString .Values.manager.metricsBindAddress) "0") -}}
true
{{- end -}}
{{- end -}}

{{- define "lynq.metricsServiceName" -}}
{{- printf "%s-controller-manager-metrics-service" (include "lynq.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lynq.webhookServiceName" -}}
{{- printf "%s-webhook-service" (include "lynq.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The Secret holding the webhook serving certificate (tls.crt, tls.key): webhook.certificate.existingSecret
without cert-manager when given, else the one cert-manager or the chart writes.
*/}}
{{- define "lynq.webhookCertSecretName" -}}
{{- if and (not .Values.certManager.enabled) .Values.webhook.certificate.existingSecret -}}
{{- .Values.webhook.certificate.existingSecret -}}
{{- else -}}
{{- default (printf "%s-webhook-server-cert" (include "lynq.fullname" .)) .Values.webhook.certificate.secretName | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the metrics serving certificate, when there is one. */}}
{{- define "lynq.metricsCertSecretName" -}}
{{- if .Values.manager.metricsCertSecret -}}
{{- .Values.manager.metricsCertSecret -}}
{{- else if and .Values.certManager.enabled .Values.certManager.metricsCertificate -}}
{{- printf "%s-metrics-server-cert" (include "lynq.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The cert-manager issuer of the chart's certificates: webhook.certificate.issuerName or the chart's own self-signed Issuer. */}}
{{- define "lynq.issuerName" -}}
{{- default (printf "%s-selfsigned-issuer" (include "lynq.fullname" .)) .Values.webhook.certificate.issuerName | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Checks of value combinations the schema cannot express; fails the render with the reason. */}}
{{- define "lynq.validate" -}}
{{- $shards := int .Values.manager.shards -}}
{{- if and (gt $shards 1) (not .Values.manager.leaderElection) -}}
{{- fail "manager.shards > 1 needs manager.leaderElection: true (shard Leases are held by elected replicas)" -}}
{{- end -}}
{{- if and .Values.webhook.enabled (not .Values.certManager.enabled) .Values.webhook.certificate.existingSecret (not .Values.webhook.certificate.caBundle) -}}
{{- fail "webhook.certificate.existingSecret needs webhook.certificate.caBundle (the base64 PEM of the CA that signed it), or use certManager.enabled" -}}
{{- end -}}
{{- if and .Values.monitoring.enabled (not (include "lynq.metricsEnabled" .)) -}}
{{- fail "monitoring.enabled needs metrics: manager.metricsBindAddress must not be \"0\"" -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled (ne (toString .Values.podDisruptionBudget.minAvailable) "") (ne (toString .Values.podDisruptionBudget.maxUnavailable) "") -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- end -}}

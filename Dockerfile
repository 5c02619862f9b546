# syntax=docker/dockerfile:1
# The Lynq operator image. At the repository root (the build context):
#
#   docker build -t lynq-operator:dev .
#
# Stage `build` installs the workspace (npm ci), builds it with nx and runs
# `npm run package:operator`, which writes the operator and only its production dependencies to
# /out: the @lynq packages as `npm pack` made them, third-party packages at the versions of
# package-lock.json, a package-lock.json of its own. The e2e test e2e/src/package.e2e.test.ts runs
# the operator from that same directory (images cannot be built where the tests run).
#
# The runtime stage is that directory on distroless Node.js 20: no shell, no package manager, the
# `nonroot` user (65532). Nothing is written outside /tmp, so the pod can run with
# readOnlyRootFilesystem (the chart mounts an emptyDir at /tmp). See docs/image.md.

# The build stage's Node (the same major as the runtime image; the repository's engines say >=20.19).
ARG NODE_VERSION=20.20.2
# A tag follows Node 20 patch releases and Debian 12 security updates; pin a digest
# (--build-arg RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot@sha256:...) for a
# reproducible image. It must be a distroless nodejs image: the ENTRYPOINT names /nodejs/bin/node.
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Non-interactive npm and nx.
ENV CI=true
# Everything .dockerignore lets through: the workspace manifests, package-lock.json and sources.
COPY . .
# The npm cache survives between builds, so the second npm (package:operator's install of the
# same versions) and later builds read tarballs from it.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN --mount=type=cache,target=/root/.npm npm run package:operator -- --out /out

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="lynq-operator" \
      org.opencontainers.image.description="Lynq operator: database rows to Kubernetes resources" \
      org.opencontainers.image.licenses="Apache-2.0"
# Owned by root and not writable by the user that runs the operator.
COPY --from=build /out /app
WORKDIR /app
# --max-semi-space-size=4: Node grows the young generation up to 32 MB under load; 4 MB keeps the
# peak lower at little cost (docs/performance.md, "Reading them"). Render processes are started with
# an empty environment and flags of their own (--max-semi-space-size=2).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4
USER 65532:65532
# health probes (--health-probe-bind-address), metrics (--metrics-bind-address, chart :8443),
# admission webhooks (--webhook-port)
EXPOSE 8081 8443 9443
ENTRYPOINT ["/nodejs/bin/node", "/app/node_modules/@lynq/operator/dist/main.js"]

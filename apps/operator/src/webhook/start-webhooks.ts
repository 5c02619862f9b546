// The webhook server as the operator starts it from its flags: not at all without a port or a
// certificate directory (said once in the log), else on every replica, leader or not.
import type { Logger } from '@lynq/runtime';
import type { Registry } from 'prom-client';
import type { WebhookConfig } from '../flags.js';
import { LynqAdmission, type LynqAdmissionOptions } from './lynq-admission.js';
import { WebhookServer } from './webhook-server.js';

export interface StartWebhooksOptions extends LynqAdmissionOptions {
  logger: Logger;
  registry: Registry;
}

/** The running server, or undefined when the flags leave it off. Rejects when the certificate cannot be used. */
export async function startWebhooks(
  config: WebhookConfig,
  options: StartWebhooksOptions,
): Promise<WebhookServer | undefined> {
  const { logger, registry, ...admission } = options;
  if (config.port === 0 || config.certPath === undefined) {
    logger.log('info', 'webhook server not started', {
      reason:
        config.port === 0
          ? '--webhook-port=0'
          : 'no --webhook-cert-path (the API server can only call a webhook over TLS)',
    });
    return undefined;
  }
  return WebhookServer.start({
    port: config.port,
    certDir: config.certPath,
    certName: config.certName,
    keyName: config.keyName,
    admission: new LynqAdmission(admission),
    logger,
    registry,
  });
}

export type { PushInfo } from './push.js';
export { parsePush } from './push.js';
export type { VerifyResult, WebhookProvider, WebhookRequest } from './verify.js';
export { verifyWebhook } from './verify.js';

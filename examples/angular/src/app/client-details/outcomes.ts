import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

import type {
  PushClientMutation,
  SyncBadgeFragment,
  SyncStatusQuery,
  UnlinkMutation,
  UpdateClientMutation,
} from '../graphql/generated';

export type PushResult = PushClientMutation['pushClient'];
export type UpdateResult = UpdateClientMutation['updateClient'];
export type UnlinkResult = UnlinkMutation['unlink'];
export type StatusResult = SyncStatusQuery['syncStatus'];

/** What the screen shows after an operation; `followUp` is the next step it may offer. */
export interface Outcome {
  tone: 'success' | 'warning' | 'error';
  message: string;
  details: string[];
  followUp?: { action: 'linkExisting' | 'forceUpdate'; label: string };
}

export interface Badge {
  tone: 'success' | 'warning' | 'error' | 'neutral';
  label: string;
}

type WhmcsErrorMember = Extract<PushResult, { __typename: 'WhmcsError' }>;
type ValidationErrorMember = Extract<PushResult, { __typename: 'ValidationError' }>;

// Each switch names every member of its union: when the schema gains one, codegen adds it to the
// type and the `never` in the default branch stops the build until it is handled. At run time an
// older build still shows a newer server's member through `... on Error { code message }`.
function unknownMember(result: never): Outcome {
  const member = result as { __typename?: string; code?: string; message?: string };
  return {
    tone: 'error',
    message: member.message ?? `Unexpected answer: ${member.__typename ?? 'nothing'}`,
    details: member.code ? [member.code] : [],
  };
}

function whmcsError(result: WhmcsErrorMember): Outcome {
  const details = result.hint ? [result.hint] : [];
  if (result.retryable) {
    details.push(
      result.retryAfterSeconds
        ? `Try again in ${result.retryAfterSeconds} s.`
        : 'This may pass if you try again.',
    );
  }
  return { tone: 'error', message: result.message, details };
}

function validationError(result: ValidationErrorMember): Outcome {
  return {
    tone: 'error',
    message: result.message,
    details: result.fields.map((error) => `${error.field}: ${error.message}`),
  };
}

export function pushOutcome(result: PushResult): Outcome {
  switch (result.__typename) {
    case 'PushClientSuccess':
      return {
        tone: 'success',
        message:
          result.operation === 'CREATED'
            ? `Created in WHMCS as client #${result.whmcsId}.`
            : `Linked to the existing WHMCS client #${result.whmcsId}.`,
        details: [],
      };
    case 'DuplicateInWhmcsError':
      return {
        tone: 'warning',
        message: result.message,
        details: [`WHMCS client #${result.whmcsId} already has this e-mail.`],
        followUp: { action: 'linkExisting', label: `Link to WHMCS client #${result.whmcsId}` },
      };
    case 'AlreadyLinkedError':
      return {
        tone: 'warning',
        message: result.message,
        details: result.linkedWhmcsId
          ? [`It is linked to WHMCS client #${result.linkedWhmcsId}: use Update instead.`]
          : [],
      };
    case 'ValidationError':
      return validationError(result);
    case 'WhmcsError':
      return whmcsError(result);
    case 'SyncInProgressError':
      return { tone: 'warning', message: result.message, details: ['Try again in a moment.'] };
    case 'NotFoundError':
      return { tone: 'error', message: result.message, details: [] };
    default:
      return unknownMember(result);
  }
}

export function updateOutcome(result: UpdateResult): Outcome {
  switch (result.__typename) {
    case 'UpdateClientSuccess':
      return {
        tone: 'success',
        message: result.changedFields.length
          ? `Updated in WHMCS: ${result.changedFields.join(', ')}.`
          : 'WHMCS already had these values: nothing was sent.',
        details: [],
      };
    case 'ConflictError':
      return {
        tone: 'warning',
        message: result.message,
        // diff.field is WHMCS's name (phonenumber); localField the form's name (phoneNumber).
        details: result.diffs.map(
          (diff) =>
            `${diff.localField ?? diff.field}: here "${diff.local ?? ''}", in WHMCS "${diff.whmcs ?? ''}"` +
            (diff.base === null ? '' : ` (both were "${diff.base}")`),
        ),
        followUp: { action: 'forceUpdate', label: 'Overwrite WHMCS with these values' },
      };
    case 'NotLinkedError':
      return { tone: 'warning', message: result.message, details: ['Push the client first.'] };
    case 'AlreadyLinkedError':
      // An unanswered create turned out to be another client's WHMCS record.
      return { tone: 'warning', message: result.message, details: [] };
    case 'ValidationError':
      return validationError(result);
    case 'WhmcsError':
      return whmcsError(result);
    case 'SyncInProgressError':
      return { tone: 'warning', message: result.message, details: ['Try again in a moment.'] };
    case 'NotFoundError':
      return { tone: 'error', message: result.message, details: [] };
    default:
      return unknownMember(result);
  }
}

export function unlinkOutcome(result: UnlinkResult): Outcome {
  switch (result.__typename) {
    case 'UnlinkSuccess':
      return {
        tone: 'success',
        message: `Unlinked from WHMCS client #${result.whmcsId}. Nothing was deleted.`,
        details: [],
      };
    case 'NotLinkedError':
      return { tone: 'warning', message: result.message, details: [] };
    case 'SyncInProgressError':
      return { tone: 'warning', message: result.message, details: ['Try again in a moment.'] };
    case 'NotFoundError':
      return { tone: 'error', message: result.message, details: [] };
    default:
      return unknownMember(result);
  }
}

export function statusOutcome(result: StatusResult): Outcome {
  switch (result.__typename) {
    case 'SyncState': {
      const badge = syncBadge(result);
      const tone = badge.tone === 'neutral' ? 'success' : badge.tone;
      return { tone, message: badge.label, details: result.lastError ? [result.lastError] : [] };
    }
    case 'NotFoundError':
      return { tone: 'error', message: result.message, details: [] };
    default:
      return unknownMember(result);
  }
}

export function syncBadge(sync: SyncBadgeFragment): Badge {
  switch (sync.status) {
    case 'SYNCED':
      return { tone: 'success', label: `Synced with WHMCS #${sync.whmcsId}` };
    case 'PENDING':
      return { tone: 'warning', label: `Pending: ${sync.pendingReason ?? 'an operation is running'}` };
    case 'ERROR':
      return { tone: 'error', label: `Sync error: ${sync.lastError ?? 'unknown'}` };
    case null:
      return { tone: 'neutral', label: 'Not in WHMCS' };
  }
}

/** An operation that failed before it had an answer: HTTP status, top-level GraphQL errors. */
export function failureOutcome(error: unknown): Outcome {
  if (ServerError.is(error)) {
    const messages: Record<number, string> = {
      401: 'The API token is missing or not valid (see environment.ts).',
      413: 'The request is too large.',
      429: 'Too many requests with this token: wait a moment.',
      503: 'whmcs-bridge cannot reach its database right now.',
    };
    return {
      tone: 'error',
      message: messages[error.statusCode] ?? `whmcs-bridge answered HTTP ${error.statusCode}.`,
      details: [],
    };
  }
  if (CombinedGraphQLErrors.is(error)) {
    // e.g. FORBIDDEN (a read-only token tried a mutation), or a masked internal error whose
    // message quotes the request id for the operator.
    return {
      tone: 'error',
      message: error.errors.map((graphqlError) => graphqlError.message).join(' '),
      details: error.errors.map((graphqlError) => String(graphqlError.extensions?.['code'] ?? '')),
    };
  }
  return {
    tone: 'error',
    message: `whmcs-bridge did not answer: ${error instanceof Error ? error.message : String(error)}`,
    details: ['Is the server running, and does CORS_ORIGINS allow this app?'],
  };
}

"""The GraphQL documents the bench sends (bench/run.py and the scripts beside it)."""

Q_SYNC_STATUS = (
    "query($id: ID!) { syncStatus(localId: $id) { __typename ... on SyncState { localId synced"
    " whmcsId status lastSyncedAt lastDirection lastError pendingReason } ... on Error { code"
    " message } } }"
)
Q_STATS = (
    "{ stats { totalSynced totalPending totalErrors byEntityType { entityType count } cacheHits"
    " cacheMisses stalePending } }"
)
LOG_FIELDS = (
    "id operation status entityType localId whmcsId whmcsAction requestData responseData"
    " errorMessage durationMs actor correlationId createdAt"
)
Q_SYNC_LOGS = (
    "query($offset: Int!, $limit: Int!) { syncLogs(offset: $offset, limit: $limit) { total offset"
    f" limit items {{ {LOG_FIELDS} }} }} }}"
)
Q_SYNC_LOGS_AFTER = (
    "query($after: ID!, $limit: Int!) { syncLogs(after: $after, limit: $limit) { total offset"
    f" limit items {{ {LOG_FIELDS} }} }} }}"
)
Q_SYNC_LOGS_ERRORS = (
    "query($limit: Int!) { syncLogs(filter: {status: ERROR}, limit: $limit) { total items"
    f" {{ {LOG_FIELDS} }} }} }}"
)
Q_CLIENTS = (
    "{ clients(offset: 0, limit: 25) { total items { id firstName lastName email companyName"
    " city country sync { localId synced whmcsId status lastSyncedAt lastDirection lastError"
    " pendingReason } } } }"
)
M_CREATE = (
    "mutation($input: ClientInput!) { createLocalClient(input: $input) { __typename"
    " ... on Client { id } ... on Error { code message } } }"
)
M_UPDATE_LOCAL = (
    "mutation($id: ID!, $input: ClientPatch!) { updateLocalClient(id: $id, input: $input)"
    " { __typename ... on Error { code message } } }"
)
M_PUSH = (
    "mutation($id: ID!) { pushClient(clientId: $id) { __typename ... on PushClientSuccess"
    " { whmcsId } ... on Error { code message } } }"
)
M_UPDATE = (
    "mutation($id: ID!) { updateClient(clientId: $id) { __typename ... on UpdateClientSuccess"
    " { changedFields } ... on Error { code message } } }"
)
M_PULL = (
    "mutation($id: ID!) { pullClient(whmcsId: $id) { __typename ... on PullClientSuccess"
    " { operation } ... on Error { code message } } }"
)
Q_WHMCS_CLIENTS = (
    "query($offset: Int!) { whmcsClients(offset: $offset, limit: 25) { __typename"
    " ... on WhmcsClientPage { total items { id email } } ... on Error { code message } } }"
)
Q_WHMCS_CLIENT = (
    "query($id: ID!) { whmcsClient(id: $id) { __typename ... on WhmcsClient { id email city }"
    " ... on Error { code message } } }"
)

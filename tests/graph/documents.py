"""GraphQL documents used by the end-to-end tests: one fragment per union member."""

_MEMBER_FIELDS = {
    "NotFoundError": "entityType id side",
    "ValidationError": "fields { field message }",
    "AlreadyLinkedError": "linkedLocalId: localId linkedWhmcsId: whmcsId",
    "NotLinkedError": "localId",
    "DuplicateInWhmcsError": "whmcsId",
    "ConflictError": "diffs { field local whmcs base }",
    "SyncInProgressError": "code",
    "WhmcsError": "whmcsMessage hint retryable",
}


def errors(*members: str) -> str:
    """`... on Error` plus one fragment per error member the union has."""
    parts = ["... on Error { code message }"]
    parts += [f"... on {m} {{ {_MEMBER_FIELDS[m]} }}" for m in members]
    return "\n    ".join(parts)


ALL = (
    "NotFoundError",
    "ValidationError",
    "AlreadyLinkedError",
    "DuplicateInWhmcsError",
    "SyncInProgressError",
    "WhmcsError",
)

SYNC_FIELDS = "sync { entityType localId synced whmcsId status lastSyncedAt lastDirection lastError pendingReason }"

CREATE_LOCAL = f"""
mutation Create($input: ClientInput!) {{
  createLocalClient(input: $input) {{
    __typename
    ... on Client {{ id firstName lastName email companyName phoneNumber address1 city state postcode country {SYNC_FIELDS} }}
    {errors("ValidationError", "NotFoundError")}
  }}
}}
"""

UPDATE_LOCAL = f"""
mutation UpdateLocal($id: ID!, $input: ClientPatch!) {{
  updateLocalClient(id: $id, input: $input) {{
    __typename
    ... on Client {{ id firstName lastName email companyName phoneNumber city country }}
    {errors("ValidationError", "NotFoundError")}
  }}
}}
"""

DELETE_LOCAL = f"""
mutation DeleteLocal($id: ID!) {{
  deleteLocalClient(id: $id) {{ __typename ... on DeleteLocalClientSuccess {{ id }} {errors("NotFoundError")} }}
}}
"""

PUSH = f"""
mutation Push($id: ID!, $forceCreate: Boolean! = false, $linkExisting: Boolean! = false) {{
  pushClient(clientId: $id, forceCreate: $forceCreate, linkExisting: $linkExisting) {{
    __typename
    ... on PushClientSuccess {{ operation whmcsId syncMapId client {{ id email {SYNC_FIELDS} }} }}
    {errors(*ALL)}
  }}
}}
"""

UPDATE = f"""
mutation Update($id: ID!, $force: Boolean! = false) {{
  updateClient(clientId: $id, force: $force) {{
    __typename
    ... on UpdateClientSuccess {{ whmcsId changedFields client {{ id {SYNC_FIELDS} }} }}
    {errors("NotFoundError", "NotLinkedError", "ValidationError", "ConflictError", "SyncInProgressError", "WhmcsError")}
  }}
}}
"""

PULL = f"""
mutation Pull($whmcsId: ID!, $localId: ID) {{
  pullClient(whmcsId: $whmcsId, localId: $localId) {{
    __typename
    ... on PullClientSuccess {{
      operation changedFields
      whmcsClient {{ id email firstName createdOn }}
      client {{ id firstName lastName email companyName phoneNumber city country {SYNC_FIELDS} }}
    }}
    {errors("NotFoundError", "ValidationError", "AlreadyLinkedError", "SyncInProgressError", "WhmcsError")}
  }}
}}
"""

LINK = f"""
mutation Link($id: ID!, $whmcsId: ID!) {{
  linkClient(clientId: $id, whmcsId: $whmcsId) {{
    __typename
    ... on LinkClientSuccess {{ client {{ id firstName {SYNC_FIELDS} }} whmcsClient {{ id firstName email }} }}
    {errors("NotFoundError", "AlreadyLinkedError", "WhmcsError")}
  }}
}}
"""

UNLINK = f"""
mutation Unlink($id: ID!) {{
  unlink(localId: $id) {{ __typename ... on UnlinkSuccess {{ entityType localId whmcsId }} {errors("NotLinkedError", "NotFoundError")} }}
}}
"""

SYNC_STATUS = f"""
query Status($id: ID!) {{
  syncStatus(localId: $id) {{
    __typename
    ... on SyncState {{ entityType localId synced whmcsId status lastSyncedAt lastDirection lastError pendingReason }}
    {errors("NotFoundError")}
  }}
}}
"""

WHMCS_CLIENTS = f"""
query WhmcsClients($offset: Int! = 0, $limit: Int! = 25, $search: String) {{
  whmcsClients(offset: $offset, limit: $limit, search: $search) {{
    __typename
    ... on WhmcsClientPage {{
      total offset limit
      items {{ id firstName lastName email companyName status createdOn localClient {{ id email }} }}
    }}
    {errors("WhmcsError")}
  }}
}}
"""

WHMCS_CLIENT = f"""
query WhmcsClient($id: ID!) {{
  whmcsClient(id: $id) {{
    __typename
    ... on WhmcsClient {{
      id firstName lastName email companyName status createdOn phoneNumber address1 address2
      city state postcode country localClient {{ id }}
    }}
    {errors("NotFoundError", "WhmcsError")}
  }}
}}
"""

SYNC_LOGS = """
query Logs($filter: SyncLogFilter, $offset: Int! = 0, $limit: Int! = 50) {
  syncLogs(filter: $filter, offset: $offset, limit: $limit) {
    total offset limit
    items { id operation status entityType localId whmcsId whmcsAction requestData responseData
            errorMessage durationMs actor correlationId createdAt }
  }
}
"""

BREAKER = "circuitBreaker { state failures threshold cooldownSeconds retryAfterSeconds }"

STATS = """
query Stats {
  stats { totalSynced totalPending totalErrors staleP: stalePending cacheHits cacheMisses
          byEntityType { entityType count } }
}
"""

STATS_BREAKER = f"query StatsBreaker {{ stats {{ {BREAKER} }} }}"

CLIENTS = f"""
query Clients($offset: Int! = 0, $limit: Int! = 25, $search: String) {{
  clients(offset: $offset, limit: $limit, search: $search) {{
    total offset limit items {{ id email firstName {SYNC_FIELDS} }}
  }}
}}
"""

CLIENT = """query Client($id: ID!) { client(id: $id) { id email firstName } }"""

CONNECTION_TEST = f"""
query {{ connectionTest {{ success message whmcsVersion responseTimeMs failure hint sandbox {BREAKER} }} }}
"""

COMPLETE_CLIENT = {
    "firstName": "Ana",
    "lastName": "Ruiz",
    "email": "ana.ruiz@example.org",
    "companyName": "Ruiz Hosting SL",
    "phoneNumber": "+34 600 111 222",
    "address1": "Calle Mayor 1",
    "city": "Madrid",
    "state": "Madrid",
    "postcode": "28013",
    "country": "ES",
}

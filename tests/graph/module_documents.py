"""The GraphQL documents of the module tests (every field of each type)."""

ERROR = "... on NotFoundError { entityType id side } ... on Error { code message }"

SERVICES = (
    "query($c: ID!, $offset: Int! = 0, $limit: Int! = 25) {"
    " whmcsServices(whmcsClientId: $c, offset: $offset, limit: $limit) { __typename"
    " ... on WhmcsServicePage { total offset limit items { id clientId orderId productId name"
    " groupName domain status billingCycle registrationDate nextDueDate firstPaymentAmount"
    " recurringAmount paymentMethod username serverName dedicatedIp suspensionReason } } "
    + ERROR
    + " } }"
)

INVOICE_FIELDS = (
    "id clientId invoiceNumber date dueDate datePaid status subtotal credit tax tax2 total"
    " currencyCode paymentMethod"
)
INVOICES = (
    "query($c: ID!, $status: String, $offset: Int! = 0, $limit: Int! = 25) {"
    " whmcsInvoices(whmcsClientId: $c, status: $status, offset: $offset, limit: $limit) {"
    f" __typename ... on WhmcsInvoicePage {{ total offset limit items {{ {INVOICE_FIELDS} }} }} "
    + ERROR
    + " } }"
)
INVOICE = (
    "query($id: ID!) { whmcsInvoice(id: $id) { __typename ... on WhmcsInvoiceDetail {"
    f" invoice {{ {INVOICE_FIELDS} }} balance"
    " lines { id type relatedId description amount taxed }"
    " payments { id transactionId gateway date amount fees } } " + ERROR + " } }"
)

ORDERS = (
    "query($c: ID!, $status: String, $offset: Int! = 0, $limit: Int! = 25) {"
    " whmcsOrders(whmcsClientId: $c, status: $status, offset: $offset, limit: $limit) {"
    " __typename ... on WhmcsOrderPage { total offset limit items { id orderNumber clientId date"
    " status paymentStatus amount paymentMethod invoiceId items { type relatedId product domain"
    " billingCycle amountDisplay status } } } " + ERROR + " } }"
)

TICKET_FIELDS = (
    "id number departmentId departmentName clientId subject status priority date lastReply"
)
TICKETS = (
    "query($c: ID!, $status: String, $offset: Int! = 0, $limit: Int! = 25) {"
    " whmcsTickets(whmcsClientId: $c, status: $status, offset: $offset, limit: $limit) {"
    f" __typename ... on WhmcsTicketPage {{ total offset limit items {{ {TICKET_FIELDS} }} }} "
    + ERROR
    + " } }"
)
TICKET = (
    "query($id: ID!) { whmcsTicket(id: $id) { __typename ... on WhmcsTicketDetail {"
    f" ticket {{ {TICKET_FIELDS} }} messages {{ id name email admin date message }} }} "
    + ERROR
    + " } }"
)

DOMAINS = (
    "query($c: ID!, $offset: Int! = 0, $limit: Int! = 25) {"
    " whmcsDomains(whmcsClientId: $c, offset: $offset, limit: $limit) { __typename"
    " ... on WhmcsDomainPage { total offset limit items { id clientId orderId domain registrar"
    " registrationType registrationPeriodYears registrationDate expiryDate nextDueDate status"
    " recurringAmount paymentMethod doNotRenew idProtection dnsManagement emailForwarding } } "
    + ERROR
    + " } }"
)

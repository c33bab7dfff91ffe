"""The GraphQL face of whmcs-bridge: schema, types, resolvers, context, loaders, error mapping."""

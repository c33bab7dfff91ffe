import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations and Angular services from the server's contract (schema.graphql, exported from
// the server's code and checked by its tests) and this app's .graphql documents.
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: 'src/app/**/*.graphql',
  config: {
    strictScalars: true,
    // Decimal stays a string: an exact amount ("12.95"), never a float.
    scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown', Decimal: 'string' },
    enumsAsTypes: true,
    useTypeImports: true,
  },
  generates: {
    // Every schema type (inputs, enums, objects).
    'src/app/graphql/schema-types.ts': {
      plugins: ['typescript'],
    },
    // One result and variables type per operation, and one injectable service per operation
    // (PushClientGQL, ...). The schema types come from the file above.
    'src/app/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typescript-apollo-angular'],
      config: {
        importSchemaTypesFrom: 'src/app/graphql/schema-types.ts',
        addExplicitOverride: true,
      },
    },
    // possibleTypes for Apollo's cache: the members of each union and interface.
    'src/app/graphql/possible-types.ts': {
      plugins: ['fragment-matcher'],
    },
  },
};

export default config;

// Where whmcs-bridge answers, and the API token this app sends. `make run` prints a demo token;
// for a real server: `whmcs-bridge tokens create angular-app --scope write`. The server must allow
// this app's origin: CORS_ORIGINS=http://localhost:4200.
export const environment = {
  graphqlUrl: 'http://localhost:8000/graphql',
  apiToken: 'wbt_paste-your-token-here',
};

-- Sign-ins to the console through Salesforce under way: the state sent to Salesforce (kept hashed,
-- like sessions) and the PKCE code verifier the token request must prove, until the callback comes
-- back or 10 minutes pass.
create table salesforce_sign_ins (
  state_sha256 bytea primary key,
  code_verifier text not null,
  created_at timestamptz not null
);

-- Sign-ins to the console through Salesforce under way: the state sent to Salesforce (kept hashed,
-- like sessions) and the PKCE code verifier the token request must prove, until the callback comes
-- back or 10 minutes pass.
create table salesforce_sign_ins (
  state_sha256 bytea primary key,
  code_verifier text not null,
  created_at timestamptz not null
);

-- Connecting an org sends a PKCE challenge too, so a Connected App that requires PKCE works for
-- both. Authorizations under way when this runs have no verifier: they are dropped (start again).
delete from salesforce_oauth_states;
alter table salesforce_oauth_states add column code_verifier text not null;

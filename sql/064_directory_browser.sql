-- The console's directory browser over 100,000 accounts and 1,000,000 contacts: every list reads
-- one page from an index in its own order, and a search that matches few rows finds them through
-- trigrams (pg_trgm ships with PostgreSQL and is a trusted extension: the database owner may
-- create it) instead of reading every name.
create extension if not exists pg_trgm;

-- Names, then the external id that breaks ties, in both directions: the list's order, read from
-- the index and stopped after the page. The name itself is included so the rows an offset skips
-- are read from the index alone (PostgreSQL reads an expression's column from the table
-- otherwise). Supersedes the index on the name alone.
create index accounts_name_order on accounts (directory_id, lower(display_name), external_id) include (display_name) where not is_deleted;
drop index accounts_display_name;
create index accounts_updated_order on accounts (directory_id, updated_at, external_id) where not is_deleted;
-- A parent's children in name order: expanding a node of the hierarchy reads its page and nothing
-- else. Supersedes the index on the parent alone.
create index accounts_children on accounts (directory_id, parent_external_id, lower(display_name), external_id) include (display_name) where not is_deleted;
drop index accounts_parent;
-- The deleted accounts, whose live children are at the top of the hierarchy (the top itself is
-- accounts_children's null parent).
create index accounts_deleted on accounts (directory_id, external_id) where is_deleted;
-- The text an account search matches (the name or the external id), as the query writes it.
create index accounts_search on accounts using gin ((display_name || chr(1) || external_id) gin_trgm_ops) where not is_deleted;

create index contacts_name_order on contacts (directory_id, lower(last_name), lower(first_name), external_id) include (last_name, first_name) where not is_deleted;
-- "first last", the email or the external id, as the contact search writes it.
create index contacts_search on contacts using gin (
  (coalesce(first_name, '') || ' ' || coalesce(last_name, '') || chr(1) || coalesce(email, '') || chr(1) || external_id) gin_trgm_ops
) where not is_deleted;

-- Statistics on the searched text, so the planner knows a common word from a rare one: a common
-- word's page is read in name order, stopping after the page, a rare one's through the trigrams.
create statistics accounts_search_text on ((display_name || chr(1) || external_id)) from accounts;
create statistics contacts_search_text
  on ((coalesce(first_name, '') || ' ' || coalesce(last_name, '') || chr(1) || coalesce(email, '') || chr(1) || external_id)) from contacts;

-- A contact's page: its invitations and the mailing lists that hold it.
create index distribution_recipients_contact on distribution_recipients (contact_external_id);
create index mailing_list_members_contact on mailing_list_members (directory_id, contact_external_id);

-- What the console's survey builder and widget designer keep.
-- A survey's page in the sender's colours: a brand colour (#rrggbb) for its buttons and chosen
-- scores, and a logo shown above the title (an https address).
alter table surveys
  add column brand_color text check (brand_color ~ '^#[0-9a-f]{6}$'),
  add column logo_url text check (logo_url ~ '^https://');

-- Opens of the survey page, so a distribution shows how many people looked without answering: each
-- recipient's first open, and every open of a distribution's page (anonymous links have no recipient).
alter table distribution_recipients add column opened_at timestamptz;
alter table distributions add column page_opens integer not null default 0;

-- Origins whose pages may call the widget API (with CORS), managed in the console; CORS_ORIGINS
-- adds to them.
create table allowed_origins (
  origin text primary key check (origin ~ '^https?://[^/?#]+$'),
  added_by text,
  added_at timestamptz not null default now()
);

-- The bundled demo company lives in a directory of its own, marked here: its survey invitations are
-- kept in the outbox whatever SMTP_URL says, so a demo never mails anyone. A demo loaded before
-- into the default directory (directory 1) is not marked: that directory may hold real data since.
alter table directories add column demo boolean not null default false;

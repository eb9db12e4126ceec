-- A file is "loaded before" only for the directory it was loaded into: the same file loads
-- into a fresh directory. Rows whose run is gone cannot name their directory; they are dropped,
-- so such a file loads once more.
alter table sftp_loaded_files add column directory_id bigint references directories on delete cascade;
update sftp_loaded_files f set directory_id = r.directory_id from sync_runs r where r.id = f.run_id;
delete from sftp_loaded_files where directory_id is null;
alter table sftp_loaded_files alter column directory_id set not null;
alter table sftp_loaded_files drop constraint sftp_loaded_files_pkey;
alter table sftp_loaded_files add primary key (connection_id, directory_id, path, size, modified_at);

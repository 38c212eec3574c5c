-- Helpers every later migration leans on.
--
-- Error codes raised on purpose by this schema's functions (callers map them by
-- code, never by message):
--   42501  insufficient_privilege  the caller may not do this
--   P0002  no_data_found           the named row does not exist
--   GR001  idempotency key reused with a different payload        (conflict)
--   GR002  an archived grouping policy cannot be activated        (conflict)
--   GR003  the active grouping policy cannot be deleted           (conflict)

-- Admin rights come from app_metadata, which only the service can write; never
-- from user_metadata, which the user edits freely.
create or replace function public.is_admin() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin', false)
$$;

comment on function public.is_admin() is
  'True when the caller''s JWT carries app_metadata.role = admin.';

-- Who may write grouping results: an admin through the API, or the service role
-- (the nightly job). Checked inside RPCs so a refusal is a clear 42501.
create or replace function public.can_write_grouping() returns boolean
language sql stable
set search_path = ''
as $$
  select current_user = 'service_role' or public.is_admin()
$$;

create or replace function public.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

revoke all on function public.can_write_grouping() from public, anon;
revoke all on function public.touch_updated_at() from public, anon, authenticated, service_role;

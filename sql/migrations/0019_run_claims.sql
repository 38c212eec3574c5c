-- Idempotency in flight: a request with an idempotency key claims it before the engine
-- runs, so a second request with the same key while the first is running is told so
-- (409 in-progress) instead of running the engine again. A claim is a lease: a Lambda
-- killed mid-run leaves one, which the next request may take over once it has expired
-- (15 minutes, the longest a Lambda runs). The saved run itself stays the record of a
-- finished key (runs.idempotency_key, unique).
--
-- Security invoker, so RLS applies: the claims are for whoever may write grouping runs.

create table public.run_claims (
  idempotency_key text primary key check (length(idempotency_key) between 1 and 300),
  request_hash text not null check (length(request_hash) between 1 and 128),
  claimed_at timestamptz not null default now()
);

comment on table public.run_claims is
  'Idempotency keys whose run is in flight (a lease); written by claim/release_grouping_run.';

alter table public.run_claims enable row level security;
revoke all on table public.run_claims from anon;
grant select, insert, update, delete on table public.run_claims to authenticated, service_role;

create policy run_claims_writers on public.run_claims
  for all to authenticated, service_role
  using ((select private.can_write_grouping()))
  with check ((select private.can_write_grouping()));

-- 'claimed' (the caller runs), 'in-progress' (another request holds the key), or 'done'
-- (a run is saved under the key: the caller replays it). GR001 when the key is held
-- for a different request.
create function public.claim_grouping_run(p_idempotency_key text, p_request_hash text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  held public.run_claims;
begin
  if not private.can_write_grouping() then
    raise exception 'only an admin or the service may run a grouping' using errcode = '42501';
  end if;
  if exists (select 1 from public.runs r where r.idempotency_key = p_idempotency_key) then
    return 'done';
  end if;
  insert into public.run_claims (idempotency_key, request_hash)
    values (p_idempotency_key, p_request_hash)
    on conflict (idempotency_key) do nothing;
  if found then
    return 'claimed';
  end if;
  select * into held from public.run_claims c
    where c.idempotency_key = p_idempotency_key
    for update;
  if held.request_hash <> p_request_hash then
    raise exception 'the idempotency key is held for another request' using errcode = 'GR001';
  end if;
  if held.claimed_at > now() - interval '15 minutes' then
    return 'in-progress';
  end if;
  update public.run_claims c set claimed_at = now()
    where c.idempotency_key = p_idempotency_key;
  return 'claimed';
end
$$;

-- A run that failed gives its key back, so a retry runs at once.
create function public.release_grouping_run(p_idempotency_key text)
returns void
language sql
set search_path = ''
as $$
  delete from public.run_claims c where c.idempotency_key = p_idempotency_key
$$;

revoke all on function public.claim_grouping_run(text, text) from public, anon;
revoke all on function public.release_grouping_run(text) from public, anon;
grant execute on function public.claim_grouping_run(text, text) to authenticated, service_role;
grant execute on function public.release_grouping_run(text) to authenticated, service_role;

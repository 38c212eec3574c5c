-- Health data (issue 13): a person's health answers are stored only as ciphertext, every
-- read of them is audited in the read's own transaction, and nothing else holds them.
--   1. health_data_keys: data keys as KMS (or, locally, the local key) wrapped them; one
--      per import, never per person; the database never sees a key in clear;
--   2. participant_health: each person's health answers, AES-256-GCM under one data key,
--      the row's identity bound as associated data (functions/health/envelope.py), and the
--      person's consent to show their group who has which allergy;
--   3. health_access_log: who read whose health data, when, why and through which route;
--      append-only for everyone but the service role;
--   4. the RPCs that hand ciphertext out, each writing exactly one audit row first.
--
-- No API role reads the ciphertext tables directly: RLS is on with no policy for them, and
-- the RPCs below are the only doors. A ciphertext is useless without kms:Decrypt, which
-- only the functions' roles hold, but the doors are still audited and checked.
--
-- Error codes added:
--   HD001  a purpose the caller may not read health data for   (422)

-- 1. Data keys -----------------------------------------------------------------------------

create table public.health_data_keys (
  id uuid primary key,
  -- Which key wrapped it: a KMS key ARN, or `local:<fingerprint>` for the local key.
  key_ref text not null check (length(key_ref) between 1 and 2048),
  wrapped_key bytea not null check (length(wrapped_key) between 16 and 6144),
  created_at timestamptz not null default now(),
  -- Set by a rotation (`grouping health rotate-keys`), which re-wraps the key only.
  rewrapped_at timestamptz
);

comment on table public.health_data_keys is
  'Wrapped data keys (one per import); only the key service (KMS) can unwrap them.';

-- 2. Sealed answers ------------------------------------------------------------------------

create table public.participant_health (
  participant_id uuid primary key references public.participants (id) on delete cascade,
  data_key_id uuid not null references public.health_data_keys (id) on delete restrict,
  nonce bytea not null check (length(nonce) = 12),
  ciphertext bytea not null check (length(ciphertext) between 16 and 1048576),
  -- The person's consent: their group's notes may say which allergies are theirs.
  share_with_group boolean not null default false,
  updated_at timestamptz not null default now()
);

create index participant_health_data_key_id on public.participant_health (data_key_id);

create trigger participant_health_touch_updated_at
  before update on public.participant_health
  for each row execute function public.touch_updated_at();

-- 3. The access audit ----------------------------------------------------------------------

create table public.health_access_log (
  id bigint generated always as identity primary key,
  accessed_at timestamptz not null default now(),
  -- The reader's account; null for the service role (the nightly job, the commands).
  actor_id uuid,
  actor_role text not null check (actor_role in ('admin', 'participant', 'service')),
  -- What was read: one person's answers, a group's notes, or an event's (a run, an import).
  -- Plain ids without foreign keys: an audit row outlives the person, group and event.
  subject text not null check (subject in ('answers', 'group-notes', 'event', 'erasure')),
  participant_id uuid,
  group_id uuid,
  event_id uuid,
  people integer not null default 1 check (people >= 0),
  purpose text not null check (purpose in (
    'venue', 'support', 'correction', 'self', 'group-member', 'grouping', 'import',
    'erasure', 'migration'
  )),
  route text not null check (length(route) between 1 and 200),
  constraint health_access_log_names_its_subject check (
    (subject in ('answers', 'erasure') and participant_id is not null)
    or (subject = 'group-notes' and group_id is not null)
    or subject = 'event'
  )
);

create index health_access_log_participant_id on public.health_access_log (participant_id);
create index health_access_log_group_id on public.health_access_log (group_id);
create index health_access_log_event_id on public.health_access_log (event_id);

-- Audit rows are never changed or removed, whoever asks, but the service role (retention).
create function private.refuse_audit_changes() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user <> 'service_role' then
    raise exception 'the health access log is append-only' using errcode = '42501';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;

revoke all on function private.refuse_audit_changes()
  from public, anon, authenticated, service_role;

create trigger health_access_log_append_only
  before update or delete on public.health_access_log
  for each row execute function private.refuse_audit_changes();
create trigger health_access_log_no_truncate
  before truncate on public.health_access_log
  for each statement execute function private.refuse_audit_changes();

-- The API role the request acts as. Inside a security definer function current_user is the
-- function's owner, so the role PostgREST set for the request is read instead.
create function private.request_role() returns text
language sql stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('role', true), 'none'), current_user)
$$;

-- Who may open everyone's answers (a run, an import) or erase: an admin, or the service.
create function private.may_open_health_in_bulk() returns boolean
language sql stable
set search_path = ''
as $$
  select private.request_role() = 'service_role' or private.is_admin()
$$;

-- The caller's own participant row, and the groups and events it is in (for the audit's
-- "who read my data" and the group notes). Definer rights: group_members and
-- event_registrations are admin-only under RLS.
create function private.my_participant_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
  select p.id from public.participants as p where p.user_id = (select auth.uid())
$$;

create function private.my_group_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.group_id from public.group_members as m
  where m.participant_id = (select private.my_participant_id())
$$;

create function private.my_event_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select r.event_id from public.event_registrations as r
  where r.participant_id = (select private.my_participant_id())
$$;

create function private.write_health_audit(
  p_subject text, p_purpose text, p_route text,
  p_participant_id uuid default null, p_group_id uuid default null,
  p_event_id uuid default null, p_people integer default 1
) returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.health_access_log (
    actor_id, actor_role, subject, participant_id, group_id, event_id, people, purpose, route
  )
  values (
    auth.uid(),
    case
      when private.request_role() = 'service_role' then 'service'
      when private.is_admin() then 'admin'
      else 'participant'
    end,
    p_subject, p_participant_id, p_group_id, p_event_id, p_people, p_purpose, p_route
  )
$$;

-- The envelope of one sealed row as the functions open it: base64 without line breaks.
create function private.health_envelope(h public.participant_health) returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'participant_id', h.participant_id,
    'data_key_id', h.data_key_id,
    'nonce', translate(encode(h.nonce, 'base64'), E'\n', ''),
    'ciphertext', translate(encode(h.ciphertext, 'base64'), E'\n', '')
  )
$$;

-- The wrapped keys a set of envelopes needs, each once.
create function private.health_keys_of(p_key_ids uuid[]) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
    'id', k.id,
    'key_ref', k.key_ref,
    'wrapped_key', translate(encode(k.wrapped_key, 'base64'), E'\n', '')
  ) order by k.id), '[]'::jsonb)
  from public.health_data_keys as k
  where k.id = any (p_key_ids)
$$;

revoke all on function private.request_role(), private.may_open_health_in_bulk()
  from public, anon;
grant execute on function private.request_role(), private.may_open_health_in_bulk()
  to authenticated, service_role;
revoke all on function private.my_participant_id(), private.my_group_ids(),
  private.my_event_ids(),
  private.write_health_audit(text, text, text, uuid, uuid, uuid, integer),
  private.health_envelope(public.participant_health), private.health_keys_of(uuid[])
  from public, anon, authenticated, service_role;
grant execute on function private.my_participant_id(), private.my_group_ids(),
  private.my_event_ids()
  to authenticated;
-- The service role's own commands (seal-existing) audit what they read, too.
grant execute on function private.write_health_audit(text, text, text, uuid, uuid, uuid, integer)
  to service_role;

-- RLS: no API role reads keys or ciphertext directly (the RPCs below are the doors; the
-- service role bypasses RLS). Admins list the whole audit; a participant lists who read
-- their answers, their group's notes, or their events' answers (a run, an import).
do $$
declare
  table_name text;
begin
  foreach table_name in array array['health_data_keys', 'participant_health', 'health_access_log']
  loop
    execute format('alter table public.%I enable row level security', table_name);
    execute format('revoke all on table public.%I from anon, authenticated', table_name);
  end loop;
end
$$;

create policy health_data_keys_nobody on public.health_data_keys
  for select to authenticated using (false);
create policy participant_health_nobody on public.participant_health
  for select to authenticated using (false);

grant select on table public.health_access_log to authenticated;
create policy health_access_log_select on public.health_access_log
  for select to authenticated
  using (
    (select private.is_admin())
    or participant_id = (select private.my_participant_id())
    or group_id in (select private.my_group_ids())
    or event_id in (select private.my_event_ids())
  );

-- 4. The doors -----------------------------------------------------------------------------

-- One person's sealed answers, for an admin stating why (venue, support, correction) or
-- for the person themself ('self', the id may be null); anyone else is refused (42501) before anything is read.
-- Answers {participant_id, share_with_group, envelope | null, keys}; an unknown person is
-- P0002. The audit row is written in the same transaction as the read.
create function public.open_participant_answers(
  p_participant_id uuid, p_purpose text, p_route text
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_row public.participant_health;
  admin constant boolean := private.is_admin();
  me constant uuid := private.my_participant_id();
begin
  if p_purpose = 'self' then
    -- The person themself: their own row (a null id reads as theirs).
    p_participant_id := coalesce(p_participant_id, me);
    if me is null or p_participant_id <> me then
      raise exception 'only the person themself reads their answers as self'
        using errcode = '42501';
    end if;
  elsif not admin then
    raise exception 'only an admin reads a person''s answers' using errcode = '42501';
  elsif p_purpose is null or p_purpose not in ('venue', 'support', 'correction') then
    raise exception 'state the purpose: venue, support or correction' using errcode = 'HD001';
  end if;
  if not exists (select 1 from public.participants as p where p.id = p_participant_id) then
    raise exception 'no such participant' using errcode = 'P0002';
  end if;
  perform private.write_health_audit('answers', p_purpose, p_route, p_participant_id);
  select h.* into found_row from public.participant_health as h
    where h.participant_id = p_participant_id;
  return jsonb_build_object(
    'participant_id', p_participant_id,
    'share_with_group', coalesce(found_row.share_with_group, false),
    'envelope', case when found_row.participant_id is null then null
      else private.health_envelope(found_row) end,
    'keys', private.health_keys_of(array[found_row.data_key_id])
  );
end
$$;

-- A group's allergy notes: its group-level summary (allergens, severities, counts; stored in
-- clear on groups) and the sealed answers of the members who consented to share theirs.
-- A participant reads their own group in the latest successful run that placed them
-- (p_group_id null, purpose 'group-member'); an admin reads any group for a purpose. Any
-- other group is refused (42501). One audit row per call.
create function public.open_group_allergy_notes(
  p_route text, p_group_id uuid default null, p_purpose text default 'group-member'
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target uuid := p_group_id;
  summary jsonb;
  shared jsonb;
  key_ids uuid[];
begin
  if p_purpose = 'group-member' then
    select m.group_id into target
      from public.group_members as m
      join public.runs as r on r.id = m.run_id and r.status = 'succeeded'
      where m.participant_id = private.my_participant_id()
      order by r.run_number desc
      limit 1;
    if target is null or (p_group_id is not null and p_group_id <> target) then
      raise exception 'a participant reads their own group''s notes only'
        using errcode = '42501';
    end if;
  elsif not private.is_admin() then
    raise exception 'only an admin reads another group''s notes' using errcode = '42501';
  elsif p_purpose is null or p_purpose not in ('venue', 'support', 'correction') then
    raise exception 'state the purpose: venue, support or correction' using errcode = 'HD001';
  end if;
  select g.allergy_summary into summary from public.groups as g where g.id = target;
  if not found then
    raise exception 'no such group' using errcode = 'P0002';
  end if;
  perform private.write_health_audit('group-notes', p_purpose, p_route, null, target);
  select
    coalesce(jsonb_agg(private.health_envelope(h) || jsonb_build_object('full_name', p.full_name)
      order by p.full_name, p.id), '[]'::jsonb),
    array_agg(distinct h.data_key_id)
    into shared, key_ids
    from public.group_members as m
    join public.participant_health as h
      on h.participant_id = m.participant_id and h.share_with_group
    join public.participants as p on p.id = m.participant_id
    where m.group_id = target;
  return jsonb_build_object(
    'group_id', target,
    'allergy_summary', summary,
    'shared', shared,
    'keys', private.health_keys_of(coalesce(key_ids, '{}'))
  );
end
$$;

-- Everyone's sealed answers a run groups: the event's registrants, or without an event every
-- active participant. For the grouping run (an admin, or the nightly job's service role);
-- one audit row for the whole read, naming the event and how many people.
create function public.open_health_for_run(p_route text, p_event_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
set jit = off
as $$
declare
  answer jsonb;
  key_ids uuid[];
  people integer;
begin
  if not private.may_open_health_in_bulk() then
    raise exception 'only an admin or the service runs a grouping' using errcode = '42501';
  end if;
  -- Columns rather than an object a row: a 10,000-person run reads a third less JSON.
  select
    jsonb_build_object(
      'participant_ids', coalesce(jsonb_agg(h.participant_id order by h.participant_id), '[]'),
      'data_key_ids', coalesce(jsonb_agg(h.data_key_id order by h.participant_id), '[]'),
      'nonces', coalesce(jsonb_agg(translate(encode(h.nonce, 'base64'), E'\n', '')
        order by h.participant_id), '[]'),
      'ciphertexts', coalesce(jsonb_agg(translate(encode(h.ciphertext, 'base64'), E'\n', '')
        order by h.participant_id), '[]')
    ),
    array_agg(distinct h.data_key_id),
    count(*)
    into answer, key_ids, people
    from public.participant_health as h
    join public.participants as p on p.id = h.participant_id
    where case when p_event_id is null then p.active
      else exists (
        select 1 from public.event_registrations as r
        where r.event_id = p_event_id and r.participant_id = h.participant_id
      ) end;
  perform private.write_health_audit(
    'event', 'grouping', p_route, null, null, p_event_id, people
  );
  return answer || jsonb_build_object('keys', private.health_keys_of(coalesce(key_ids, '{}')));
end
$$;

-- What an import needs before it seals: the ids of the people it names who are already
-- stored (new people get the ids the import chooses), and their sealed answers, so an
-- answer that did not change is not written again. One audit row (purpose 'import').
create function public.open_health_for_import(
  p_route text, p_external_ids jsonb, p_event_id uuid default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
set jit = off
as $$
declare
  ids jsonb;
  envelopes jsonb;
  key_ids uuid[];
  people integer;
begin
  if not private.may_open_health_in_bulk() then
    raise exception 'only an admin or the service imports answers' using errcode = '42501';
  end if;
  if jsonb_typeof(p_external_ids) is distinct from 'array' then
    raise exception 'external ids must be a JSON array' using errcode = '22023';
  end if;
  select
    coalesce(jsonb_object_agg(p.external_id, p.id), '{}'::jsonb),
    coalesce(jsonb_agg(private.health_envelope(h)) filter (where h.participant_id is not null),
      '[]'::jsonb),
    array_agg(distinct h.data_key_id) filter (where h.participant_id is not null),
    count(h.participant_id)
    into ids, envelopes, key_ids, people
    from jsonb_array_elements_text(p_external_ids) as e (external_id)
    join public.participants as p on p.external_id = e.external_id
    left join public.participant_health as h on h.participant_id = p.id;
  perform private.write_health_audit('event', 'import', p_route, null, null, p_event_id, people);
  return jsonb_build_object(
    'ids', ids, 'envelopes', envelopes,
    'keys', private.health_keys_of(coalesce(key_ids, '{}'))
  );
end
$$;

-- The person's consent to show their group which allergies are theirs (own row only).
create function public.set_allergy_sharing(p_share boolean) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.participant_health as h
    set share_with_group = coalesce(p_share, false)
    where h.participant_id = private.my_participant_id();
  if not found then
    raise exception 'no answers of yours are stored' using errcode = 'P0002';
  end if;
  return coalesce(p_share, false);
end
$$;

-- Erasing a person's health data: the ciphertext goes, the audit rows stay (they hold no
-- health data), and the erasure itself is audited. Admins and the service only.
create function public.erase_participant_health(p_participant_id uuid, p_route text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.may_open_health_in_bulk() then
    raise exception 'only an admin erases health data' using errcode = '42501';
  end if;
  if not exists (select 1 from public.participants as p where p.id = p_participant_id) then
    raise exception 'no such participant' using errcode = 'P0002';
  end if;
  delete from public.participant_health as h where h.participant_id = p_participant_id;
  perform private.write_health_audit('erasure', 'erasure', p_route, p_participant_id);
  return found;
end
$$;

revoke all on function
  public.open_participant_answers(uuid, text, text),
  public.open_group_allergy_notes(text, uuid, text),
  public.open_health_for_run(text, uuid),
  public.open_health_for_import(text, jsonb, uuid),
  public.set_allergy_sharing(boolean),
  public.erase_participant_health(uuid, text)
  from public, anon;
grant execute on function
  public.open_participant_answers(uuid, text, text),
  public.open_group_allergy_notes(text, uuid, text),
  public.open_health_for_run(text, uuid),
  public.open_health_for_import(text, jsonb, uuid),
  public.set_allergy_sharing(boolean),
  public.erase_participant_health(uuid, text)
  to authenticated, service_role;

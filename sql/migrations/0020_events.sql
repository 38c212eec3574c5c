-- Events: the unit an organiser works in. A dinner has a date, a status (open, closed) and
-- its registrations; participants are people, kept across events, and a returning person's
-- new answers replace their old ones.
--   1. events and event_registrations, with RLS for admins (the service role bypasses it);
--   2. participants.external_id: the id an import reads (an id column, an email, row-N);
--   3. import_registrations: upsert an export's people and register them, all or nothing;
--   4. runs.event_id, and save_grouping_run (0021) taking the event of a run;
--   5. event_registrants, the registered people with their answers as stored.
--
-- Error codes added to those of 0001 and 0021:
--   EV001  an import of more rows than import_registrations takes (50,000)   (422)
--   EV002  a closed event takes no imports or registrations                 (409)
--   EV003  a closed event cannot be grouped                                 (409)

-- 1. Events and their registrations ------------------------------------------------------

create table public.events (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  event_date date not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Set by trigger when the event closes, cleared if it is ever reopened.
  closed_at timestamptz,
  constraint events_closed_at_when_closed check ((status = 'closed') = (closed_at is not null))
);

comment on table public.events is
  'A dinner: its date, whether it still takes registrations (open) and its registrations.';

-- The nightly regroup reads the open events.
create index events_status_event_date on public.events (status, event_date);

create function public.events_stamp_closed_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'closed' and (tg_op = 'INSERT' or old.status <> 'closed') then
    new.closed_at := now();
  elsif new.status = 'open' then
    new.closed_at := null;
  end if;
  return new;
end
$$;

revoke all on function public.events_stamp_closed_at()
  from public, anon, authenticated, service_role;

create trigger events_stamp_closed_at
  before insert or update of status on public.events
  for each row execute function public.events_stamp_closed_at();

create trigger events_touch_updated_at
  before update on public.events
  for each row execute function public.touch_updated_at();

create table public.event_registrations (
  event_id uuid not null references public.events (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  registered_at timestamptz not null default now(),
  primary key (event_id, participant_id)
);

create index event_registrations_participant_id on public.event_registrations (participant_id);

-- A closed event takes no registrations, whoever writes. The events concerned are read
-- with a share lock, so a close waits for the registering transaction (or the write sees
-- the close); the foreign key's own lock would not make a close wait.
create function public.refuse_registrations_for_closed_events() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.events as e
    where e.id in (select r.event_id from changed_rows as r)
    order by e.id
    for share;
  if exists (
    select 1 from public.events as e
    where e.id in (select r.event_id from changed_rows as r) and e.status = 'closed'
  ) then
    raise exception 'a closed event takes no registrations' using errcode = 'EV002';
  end if;
  return null;
end
$$;

revoke all on function public.refuse_registrations_for_closed_events()
  from public, anon, authenticated, service_role;

create trigger event_registrations_open_events_on_insert
  after insert on public.event_registrations
  referencing new table as changed_rows
  for each statement execute function public.refuse_registrations_for_closed_events();
create trigger event_registrations_open_events_on_update
  after update on public.event_registrations
  referencing new table as changed_rows
  for each statement execute function public.refuse_registrations_for_closed_events();

-- Events and registrations are the organisers': admins only (the nightly job reads them
-- as the service role, which bypasses RLS). No one else sees or writes any of it.
do $$
declare
  table_name text;
begin
  foreach table_name in array array['events', 'event_registrations'] loop
    execute format('alter table public.%I enable row level security', table_name);
    execute format('revoke all on table public.%I from anon', table_name);
    execute format(
      'create policy %I on public.%I for select to authenticated'
      ' using ((select private.is_admin()))', table_name || '_admin_select', table_name);
    execute format(
      'create policy %I on public.%I for insert to authenticated'
      ' with check ((select private.is_admin()))', table_name || '_admin_insert', table_name);
    execute format(
      'create policy %I on public.%I for update to authenticated'
      ' using ((select private.is_admin())) with check ((select private.is_admin()))',
      table_name || '_admin_update', table_name);
    execute format(
      'create policy %I on public.%I for delete to authenticated'
      ' using ((select private.is_admin()))', table_name || '_admin_delete', table_name);
  end loop;
end
$$;

-- 2. A participant's identity across imports ----------------------------------------------

-- What an import reads as the person's id: the export's id column, else the email (the
-- reader lower-cases it), else `row-N`. Unique where set (a unique constraint lets any
-- number of nulls through): participants added by hand, or before imports, have none, and
-- an import never matches them. Stored as the import gives it, trimmed.
alter table public.participants
  add column external_id text unique
    check (length(external_id) between 1 and 320 and external_id = btrim(external_id));

comment on column public.participants.external_id is
  'The id an import reads (id column, email or row-N); import_registrations upserts by it.';

-- 3. Importing an export's people into an event --------------------------------------------

-- import_registrations(event, participants): each participant upserted by external id and
-- registered for the event, in one call and one transaction; any bad row fails the whole
-- call and nothing is left behind.
--
--   p_participants  a JSON array of at most 50,000 objects, each
--                   {"external_id": text, "full_name": text | null, "age": integer | null,
--                    "birth_date": "YYYY-MM-DD" | null, "responses": {...}};
--                   a key left out is null ({} for responses): the new answers replace the
--                   old ones whole. No other key, and no external id twice.
--
-- A returning person (same external id) whose name, age, birth date and answers are all
-- as stored is not written at all, so `updated_at` stays; importing the same rows again
-- changes nothing. Answers {added, updated, unchanged, registered}: people new to the
-- database, people whose answers changed, people as stored, and registrations this call
-- made (people not yet registered for the event). An unknown event is P0002, a closed one
-- EV002, more than 50,000 rows EV001, a malformed row 22023 (others as their column
-- refuses them: 22P02, 22007, 23514), a caller who is neither an admin nor the service
-- 42501. Security invoker: RLS applies to every row it reads and writes.
create function public.import_registrations(p_event_id uuid, p_participants jsonb)
returns jsonb
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  max_rows constant integer := 50000;
  fields constant text[] := array['external_id', 'full_name', 'age', 'birth_date', 'responses'];
  total_rows integer;
  event_status text;
  bad_row bigint;
  added integer;
  updated integer;
  registered integer;
begin
  if not private.can_write_grouping() then
    raise exception 'only an admin or the service may import registrations'
      using errcode = '42501';
  end if;
  if jsonb_typeof(p_participants) is distinct from 'array' then
    raise exception 'participants must be a JSON array' using errcode = '22023';
  end if;
  total_rows := jsonb_array_length(p_participants);
  if total_rows > max_rows then
    raise exception 'an import takes at most % rows', max_rows using errcode = 'EV001';
  end if;

  -- A share lock: a close waits for this import to commit (or the import sees the close).
  select e.status into event_status from public.events as e where e.id = p_event_id for share;
  if not found then
    raise exception 'no such event' using errcode = 'P0002';
  end if;
  if event_status <> 'open' then
    raise exception 'a closed event takes no imports' using errcode = 'EV002';
  end if;

  select r.n into bad_row
    from jsonb_array_elements(p_participants) with ordinality as r (item, n)
    where jsonb_typeof(r.item) is distinct from 'object'
      or jsonb_typeof(r.item -> 'external_id') is distinct from 'string'
      or coalesce(jsonb_typeof(r.item -> 'full_name'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(r.item -> 'age'), 'null') not in ('number', 'null')
      or coalesce(jsonb_typeof(r.item -> 'birth_date'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(r.item -> 'responses'), 'object') <> 'object'
      or r.item - fields <> '{}'::jsonb
    order by r.n
    limit 1;
  if found then
    raise exception 'participant % is not an object of the import''s fields', bad_row - 1
      using errcode = '22023', detail = json_build_object('row', bad_row - 1)::text;
  end if;
  select repeated.n into bad_row
    from (
      select r.n, row_number() over (partition by r.item ->> 'external_id' order by r.n) as seen
      from jsonb_array_elements(p_participants) with ordinality as r (item, n)
    ) as repeated
    where repeated.seen > 1
    order by repeated.n
    limit 1;
  if found then
    raise exception 'participant % repeats an earlier external id', bad_row - 1
      using errcode = '22023', detail = json_build_object('row', bad_row - 1)::text;
  end if;

  -- Only rows that differ are updated (the WHERE of DO UPDATE); those come back with the
  -- inserted ones, told apart by xmax (0 for a row this statement inserted).
  with written as (
    insert into public.participants as p (external_id, full_name, age, birth_date, responses)
    select
      r.item ->> 'external_id',
      r.item ->> 'full_name',
      (r.item ->> 'age')::integer,
      (r.item ->> 'birth_date')::date,
      coalesce(r.item -> 'responses', '{}'::jsonb)
    from jsonb_array_elements(p_participants) as r (item)
    order by r.item ->> 'external_id'
    on conflict (external_id) do update
      set full_name = excluded.full_name,
        age = excluded.age,
        birth_date = excluded.birth_date,
        responses = excluded.responses
      where (p.full_name, p.age, p.birth_date, p.responses)
        is distinct from (excluded.full_name, excluded.age, excluded.birth_date, excluded.responses)
    returning p.xmax = 0 as inserted
  )
  select count(*) filter (where w.inserted), count(*) filter (where not w.inserted)
    into added, updated
    from written as w;

  insert into public.event_registrations (event_id, participant_id)
  select p_event_id, p.id
    from jsonb_array_elements(p_participants) as r (item)
    join public.participants as p on p.external_id = r.item ->> 'external_id'
    order by p.id
  on conflict (event_id, participant_id) do nothing;
  get diagnostics registered = row_count;

  return jsonb_build_object(
    'added', added,
    'updated', updated,
    'unchanged', total_rows - added - updated,
    'registered', registered
  );
end
$$;

revoke all on function public.import_registrations(uuid, jsonb) from public, anon;
grant execute on function public.import_registrations(uuid, jsonb) to authenticated, service_role;

-- 4. Runs of an event ----------------------------------------------------------------------

-- Runs without an event keep today's meaning (all active participants); a run of an event
-- grouped its registrations. An event with runs cannot be deleted: its history stays.
alter table public.runs
  add column event_id uuid references public.events (id) on delete restrict;

create index runs_event_id on public.runs (event_id);

-- The event of a run, for the dashboards (appended: a view keeps its earlier columns).
create or replace view public.run_history with (security_invoker = true) as
select
  r.id as run_id,
  r.run_number,
  r.created_at,
  r.status,
  r.policy_id,
  p.name as policy_name,
  r.trigger_source,
  r.triggered_by,
  r.started_at,
  r.finished_at,
  (extract(epoch from r.finished_at - r.started_at) * 1000)::bigint as duration_ms,
  r.participant_count,
  r.assigned_count,
  r.unassigned_count,
  r.group_count,
  case when jsonb_typeof(r.diagnostics #> '{scores,mean}') = 'number'
    then (r.diagnostics #>> '{scores,mean}')::double precision end as mean_score,
  case when jsonb_typeof(r.diagnostics #> '{scores,min}') = 'number'
    then (r.diagnostics #>> '{scores,min}')::double precision end as min_score,
  case when jsonb_typeof(r.diagnostics #> '{counts,unassigned_by_reason}') = 'object'
    then r.diagnostics #> '{counts,unassigned_by_reason}' end as unassigned_by_reason,
  r.engine_version,
  r.error,
  r.event_id
from public.runs as r
join public.grouping_policies as p on p.id = r.policy_id;

-- save_grouping_run as in 0021 (the caller's check, the archived policy refused, replays
-- answered first), plus the run's event: `event_id` (default null, so a caller of the
-- five-parameter form is unchanged) is stored on the run, and a new run for a closed event
-- is refused (EV003). The event's row is read with a share lock, so a close waits for the
-- save (or the save sees the close). An unknown event fails on the runs foreign key. The
-- default request hash covers the event when there is one, and is 0021's when there is not.
drop function public.save_grouping_run(text, uuid, jsonb, jsonb, text);

create function public.save_grouping_run(
  idempotency_key text,
  policy_id uuid,
  run jsonb,
  result jsonb,
  request_hash text default null,
  event_id uuid default null
) returns uuid
language plpgsql
set search_path = ''
-- The planner over-estimates rows of jsonb set functions, and JIT-compiling
-- these inserts costs more than running them.
set jit = off
as $$
#variable_conflict use_column
declare
  groups_in constant jsonb := save_grouping_run.result -> 'groups';
  unassigned_in constant jsonb := save_grouping_run.result -> 'unassigned';
  payload_hash constant text := coalesce(
    save_grouping_run.request_hash,
    encode(sha256(convert_to((
      jsonb_build_array(save_grouping_run.policy_id, save_grouping_run.run, save_grouping_run.result)
      || case when save_grouping_run.event_id is null then '[]'::jsonb
        else jsonb_build_array(save_grouping_run.event_id) end
    )::text, 'UTF8')), 'hex')
  );
  assigned integer;
  new_run_id uuid;
  stored_hash text;
  policy_archived boolean;
  event_closed boolean;
begin
  if not private.can_write_grouping() then
    raise exception 'only an admin or the service may save a grouping run'
      using errcode = '42501';
  end if;
  if jsonb_typeof(save_grouping_run.run) is distinct from 'object'
    or jsonb_typeof(groups_in) is distinct from 'array'
    or jsonb_typeof(unassigned_in) is distinct from 'array'
    or jsonb_typeof(save_grouping_run.result -> 'diagnostics') is distinct from 'object'
  then
    raise exception 'run must be an object; result needs groups, unassigned and diagnostics'
      using errcode = '22023';
  end if;

  -- An unknown policy reads as null here and fails on the runs foreign key below.
  select p.archived_at is not null into policy_archived
    from public.grouping_policies as p
    where p.id = save_grouping_run.policy_id
    for share;
  -- So does an unknown event.
  if save_grouping_run.event_id is not null then
    select e.status = 'closed' into event_closed
      from public.events as e
      where e.id = save_grouping_run.event_id
      for share;
  end if;

  select coalesce(sum(jsonb_array_length(g -> 'members')), 0)::integer
    into assigned
    from jsonb_array_elements(groups_in) as g;

  insert into public.runs (
    policy_id, status, options, participant_count, assigned_count, unassigned_count,
    group_count, diagnostics, engine_version, trigger_source, triggered_by,
    started_at, finished_at, error, idempotency_key, payload_hash, event_id
  )
  values (
    save_grouping_run.policy_id,
    coalesce(save_grouping_run.run ->> 'status', 'succeeded'),
    coalesce(save_grouping_run.run -> 'options', '{}'::jsonb),
    assigned + jsonb_array_length(unassigned_in),
    assigned,
    jsonb_array_length(unassigned_in),
    jsonb_array_length(groups_in),
    save_grouping_run.result -> 'diagnostics',
    save_grouping_run.run ->> 'engine_version',
    coalesce(save_grouping_run.run ->> 'trigger_source', 'api'),
    auth.uid(),
    coalesce((save_grouping_run.run ->> 'started_at')::timestamptz, now()),
    coalesce((save_grouping_run.run ->> 'finished_at')::timestamptz, now()),
    save_grouping_run.run ->> 'error',
    save_grouping_run.idempotency_key,
    payload_hash,
    save_grouping_run.event_id
  )
  on conflict on constraint runs_idempotency_key_key do nothing
  returning id into new_run_id;

  if new_run_id is null then
    -- The key was used before (perhaps by a concurrent call that just committed).
    select r.id, r.payload_hash into new_run_id, stored_hash
      from public.runs as r
      where r.idempotency_key = save_grouping_run.idempotency_key;
    if stored_hash is distinct from payload_hash then
      raise exception 'idempotency key already used for a different run'
        using errcode = 'GR001';
    end if;
    return new_run_id;
  end if;

  -- A new run: the error undoes the row just inserted.
  if policy_archived then
    raise exception 'an archived grouping policy cannot run' using errcode = 'GR002';
  end if;
  if event_closed then
    raise exception 'a closed event cannot be grouped' using errcode = 'EV003';
  end if;

  insert into public.groups (
    run_id, group_number, size, score, kosher, age_band, age_min, age_max,
    diets, allergy_summary
  )
  select
    new_run_id,
    (g ->> 'number')::integer,
    jsonb_array_length(g -> 'members'),
    (g ->> 'score')::double precision,
    (g ->> 'kosher')::boolean,
    g ->> 'age_band',
    (g -> 'age_range' ->> 'min')::integer,
    (g -> 'age_range' ->> 'max')::integer,
    coalesce(g -> 'diets', '{}'::jsonb),
    coalesce(g -> 'allergy_summary', '{}'::jsonb)
  from jsonb_array_elements(groups_in) as g;

  insert into public.group_members (run_id, group_id, participant_id)
  select new_run_id, saved.id, member::uuid
    from jsonb_array_elements(groups_in) as g
    cross join lateral jsonb_array_elements_text(g -> 'members') as member
    join public.groups as saved
      on saved.run_id = new_run_id and saved.group_number = (g ->> 'number')::integer
    -- In key order the foreign-key checks and index inserts walk the indexes in
    -- step, which saves about a fifth of the save's time.
    order by member::uuid;

  insert into public.unassigned_queue (run_id, participant_id, reason, details)
  select new_run_id, (u ->> 'participant_id')::uuid, u ->> 'reason',
    coalesce(u -> 'details', '{}'::jsonb)
  from jsonb_array_elements(unassigned_in) as u;

  return new_run_id;
end
$$;

revoke all on function public.save_grouping_run(text, uuid, jsonb, jsonb, text, uuid)
  from public, anon;
grant execute on function public.save_grouping_run(text, uuid, jsonb, jsonb, text, uuid)
  to authenticated, service_role;

-- 5. Who is registered ---------------------------------------------------------------------

-- The people registered for each event, with their answers as stored: what an organiser
-- checks after an import, and what a run of the event groups. Security invoker: the
-- caller's RLS on both tables applies, so admins see it all and everyone else nothing.
create view public.event_registrants with (security_invoker = true) as
select
  r.event_id,
  p.id as participant_id,
  p.external_id,
  p.full_name,
  p.age,
  p.birth_date,
  p.responses,
  r.registered_at
from public.event_registrations as r
join public.participants as p on p.id = r.participant_id;

revoke all on table public.event_registrants from anon;
revoke insert, update, delete, truncate, references, trigger
  on table public.event_registrants from authenticated, service_role;

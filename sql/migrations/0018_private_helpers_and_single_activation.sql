-- The database is the rulebook, for every writer:
--   1. the helpers Row Level Security and the RPCs lean on live in schema `private`,
--      which PostgREST does not expose, so none of them is an endpoint;
--   2. one active grouping policy holds for direct writes too, and they queue on the
--      same lock as activate_grouping_policy, so neither path fails on the other;
--   3. save_grouping_run refuses a run for an archived policy (GR002).
--
-- Error codes added to those of 0001:
--   GR002  an archived grouping policy cannot be activated, nor run   (conflict)

-- 1. Schema private -------------------------------------------------------------------

-- Callers need usage on the schema (and execute on a function) for a policy or an RPC of
-- theirs to call it; anon needs neither: no policy is for anon, and no RPC either.
create schema if not exists private;
revoke all on schema private from public, anon;
grant usage on schema private to authenticated, service_role;

-- Admin rights come from app_metadata, which only the service can write; never from
-- user_metadata, which the user edits freely.
create function private.is_admin() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin', false)
$$;

comment on function private.is_admin() is
  'True when the caller''s JWT carries app_metadata.role = admin.';

-- Who may write grouping results: an admin through the API, or the service role (the
-- nightly job). Checked inside RPCs so a refusal is a clear 42501.
create function private.can_write_grouping() returns boolean
language sql stable
set search_path = ''
as $$
  select current_user = 'service_role' or private.is_admin()
$$;

-- The ward helpers are security definer so that policies on ward_branch_members can
-- consult ward_branch_members without recursing into its own policies.

-- Wards in which the caller holds one of `p_roles`.
create function private.ward_ids_with_role(p_roles text[])
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.ward_branch_id
  from public.ward_branch_members m
  where m.user_id = (select auth.uid()) and m.role = any (p_roles)
$$;

-- The roster entries the caller's account is linked to, one per ward at most.
create function private.ward_own_user_hashes()
returns table (ward_branch_id uuid, user_hash text)
language sql stable security definer
set search_path = ''
as $$
  select m.ward_branch_id, m.user_hash
  from public.ward_branch_members m
  where m.user_id = (select auth.uid()) and m.user_hash is not null
$$;

-- A linked participant's own group in the latest successful run that included them
-- (0006, unchanged): definer rights are needed to read other members' rows, so only
-- names leave this function, through the view public.my_group.
create function private.my_group_members()
returns table (
  run_id uuid,
  group_number integer,
  group_size integer,
  kosher boolean,
  age_band text,
  full_name text,
  is_me boolean
)
language sql stable
security definer
set search_path = ''
as $$
  with me as (
    select p.id from public.participants as p where p.user_id = (select auth.uid())
  ),
  latest_run as (
    select r.id as run_id
    from public.runs as r
    where r.status = 'succeeded'
      and (
        exists (
          select 1 from public.group_members as m
          where m.run_id = r.id and m.participant_id = (select id from me)
        )
        or exists (
          select 1 from public.unassigned_queue as u
          where u.run_id = r.id and u.participant_id = (select id from me)
        )
      )
    order by r.run_number desc
    limit 1
  )
  select g.run_id, g.group_number, g.size, g.kosher, g.age_band, p.full_name,
    p.id = (select id from me)
  from latest_run as l
  join public.group_members as mine
    on mine.run_id = l.run_id and mine.participant_id = (select id from me)
  join public.groups as g on g.id = mine.group_id
  join public.group_members as m on m.group_id = g.id
  join public.participants as p on p.id = m.participant_id
  order by p.full_name, p.id
$$;

-- New functions are executable by public unless revoked. Policies are for authenticated
-- only (service_role bypasses RLS); the grouping RPCs run as the service role too.
revoke all on function private.is_admin(), private.can_write_grouping(),
  private.ward_ids_with_role(text[]), private.ward_own_user_hashes(),
  private.my_group_members()
  from public, anon, authenticated, service_role;
grant execute on function private.is_admin(), private.can_write_grouping()
  to authenticated, service_role;
grant execute on function private.ward_ids_with_role(text[]), private.ward_own_user_hashes(),
  private.my_group_members()
  to authenticated;

-- Every policy that called a public helper calls its private twin (same rule, same
-- names, roles and commands).
alter policy grouping_policies_admin_select on public.grouping_policies
  using ((select private.is_admin()));
alter policy grouping_policies_admin_insert on public.grouping_policies
  with check ((select private.is_admin()));
alter policy grouping_policies_admin_update on public.grouping_policies
  using ((select private.is_admin())) with check ((select private.is_admin()));
alter policy grouping_policies_admin_delete on public.grouping_policies
  using ((select private.is_admin()));

alter policy participants_select on public.participants
  using ((select private.is_admin()) or user_id = (select auth.uid()));
alter policy participants_admin_insert on public.participants
  with check ((select private.is_admin()));
alter policy participants_admin_update on public.participants
  using ((select private.is_admin())) with check ((select private.is_admin()));
alter policy participants_admin_delete on public.participants
  using ((select private.is_admin()));

do $$
declare
  table_name text;
begin
  foreach table_name in array array['runs', 'groups', 'group_members', 'unassigned_queue'] loop
    execute format(
      'alter policy %I on public.%I using ((select private.is_admin()))',
      table_name || '_admin_select', table_name);
    execute format(
      'alter policy %I on public.%I with check ((select private.is_admin()))',
      table_name || '_admin_insert', table_name);
    execute format(
      'alter policy %I on public.%I'
      ' using ((select private.is_admin())) with check ((select private.is_admin()))',
      table_name || '_admin_update', table_name);
    execute format(
      'alter policy %I on public.%I using ((select private.is_admin()))',
      table_name || '_admin_delete', table_name);
  end loop;
end
$$;

alter policy ward_branches_select on public.ward_branches
  using (id in (select private.ward_ids_with_role(array['admin', 'leader', 'member'])));
alter policy ward_branches_update on public.ward_branches
  using (id in (select private.ward_ids_with_role(array['admin'])))
  with check (id in (select private.ward_ids_with_role(array['admin'])));

alter policy ward_branch_members_select on public.ward_branch_members
  using (
    user_id = (select auth.uid())
    or ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader']))
  );
alter policy ward_branch_members_insert on public.ward_branch_members
  with check (ward_branch_id in (select private.ward_ids_with_role(array['admin'])));
alter policy ward_branch_members_update on public.ward_branch_members
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin'])))
  with check (ward_branch_id in (select private.ward_ids_with_role(array['admin'])));
alter policy ward_branch_members_delete on public.ward_branch_members
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin'])));

alter policy ward_members_select on public.ward_members
  using (
    ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash) in (select * from private.ward_own_user_hashes())
  );
alter policy ward_member_groups_select on public.ward_member_groups
  using (
    ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash::text) in (select * from private.ward_own_user_hashes())
  );
alter policy session_participants_select on public.session_participants
  using (
    ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash) in (select * from private.ward_own_user_hashes())
  );

alter policy ward_assignment_versions_select on public.ward_assignment_versions
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])));
alter policy audit_log_select on public.audit_log
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])));
alter policy cleaning_schedules_select on public.cleaning_schedules
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader', 'member'])));
alter policy cleaning_sessions_select on public.cleaning_sessions
  using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader', 'member'])));

do $$
declare
  managed_table text;
begin
  foreach managed_table in array array[
    'ward_members', 'ward_member_groups', 'cleaning_schedules', 'cleaning_sessions',
    'session_participants'
  ] loop
    execute format($policies$
      alter policy %1$I on public.%4$I
        with check (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])));
      alter policy %2$I on public.%4$I
        using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])))
        with check (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])));
      alter policy %3$I on public.%4$I
        using (ward_branch_id in (select private.ward_ids_with_role(array['admin', 'leader'])));
    $policies$,
    managed_table || '_insert', managed_table || '_update', managed_table || '_delete',
    managed_table);
  end loop;
end
$$;

-- The participant's own group, from the private function (same columns, same grants).
create or replace view public.my_group with (security_invoker = true) as
select run_id, group_number, group_size, kosher, age_band, full_name, is_me
from private.my_group_members();

-- ward_role stays in public: the API asks it as an RPC (WardStore.ward_role). It reads
-- only the caller's own membership row, which RLS lets every member read, so it needs no
-- definer rights. The ward RPCs call it with theirs.
alter function public.ward_role(uuid) security invoker;

-- activate_grouping_policy (0002) and save_grouping_run (below) call the private
-- can_write_grouping; nothing else called the public copies, which go.
-- Activations queue on a transaction lock, so concurrent callers all succeed in turn and
-- the last one wins, instead of failing on the unique index. The lock comes before any
-- row lock, in this RPC and in the statement trigger below alike.
create or replace function public.activate_grouping_policy(policy_id uuid)
returns public.grouping_policies
language plpgsql
set search_path = ''
as $$
declare
  chosen public.grouping_policies;
begin
  if not private.can_write_grouping() then
    raise exception 'only an admin may activate a grouping policy' using errcode = '42501';
  end if;
  perform pg_advisory_xact_lock(hashtext('public.activate_grouping_policy'));

  select * into chosen
    from public.grouping_policies as p
    where p.id = activate_grouping_policy.policy_id
    for update;
  if not found then
    raise exception 'no such grouping policy' using errcode = 'P0002';
  end if;
  if chosen.archived_at is not null then
    raise exception 'an archived grouping policy cannot be activated' using errcode = 'GR002';
  end if;

  update public.grouping_policies as p
    set is_active = true
    where p.id = chosen.id
    returning * into chosen;
  return chosen;
end
$$;

drop function public.my_group_members();
drop function public.ward_ids_with_role(text[]);
drop function public.ward_own_user_hashes();
drop function public.can_write_grouping();
drop function public.is_admin();

-- Trigger functions are called by their triggers only: no API role executes them (0012
-- and 0016 left the service role able to).
revoke execute on function public.ward_create_assignment_version(),
  public.ward_member_groups_stamp(), public.ward_member_groups_record_change(),
  public.ward_members_record_change()
  from public, anon, authenticated, service_role;

-- 2. One active policy, for direct writes too -------------------------------------------

-- A direct INSERT or UPDATE of is_active (a dashboard's PATCH, the SQL editor) takes the
-- RPC's lock before the statement touches a row. Taken later, in the row trigger, it
-- would come after the row's lock: an RPC granted the lock first would then wait for
-- that row while the direct write waits for the lock, and the two would deadlock.
-- With it, writers of is_active run one after the other, and the row trigger (0002) of
-- each deactivates the policy the one before it activated.
create function public.lock_policy_activations() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(hashtext('public.activate_grouping_policy'));
  return null;
end
$$;

revoke all on function public.lock_policy_activations()
  from public, anon, authenticated, service_role;

create trigger grouping_policies_lock_activations
  before insert or update of is_active on public.grouping_policies
  for each statement execute function public.lock_policy_activations();

-- 3. An archived policy cannot run -----------------------------------------------------

-- save_grouping_run as in 0005, but for the check of the caller (now private) and the
-- refusal of a new run for an archived policy (GR002). The policy's row is read with
-- a share lock, so an archive waits for the save to commit (or the save sees the archive)
-- rather than slipping in between. A replay of a run saved before its policy was
-- archived still answers that run: it writes nothing.
create or replace function public.save_grouping_run(
  idempotency_key text,
  policy_id uuid,
  run jsonb,
  result jsonb,
  request_hash text default null
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
    encode(sha256(convert_to(jsonb_build_array(
      save_grouping_run.policy_id, save_grouping_run.run, save_grouping_run.result
    )::text, 'UTF8')), 'hex')
  );
  assigned integer;
  new_run_id uuid;
  stored_hash text;
  policy_archived boolean;
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

  select coalesce(sum(jsonb_array_length(g -> 'members')), 0)::integer
    into assigned
    from jsonb_array_elements(groups_in) as g;

  insert into public.runs (
    policy_id, status, options, participant_count, assigned_count, unassigned_count,
    group_count, diagnostics, engine_version, trigger_source, triggered_by,
    started_at, finished_at, error, idempotency_key, payload_hash
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
    payload_hash
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

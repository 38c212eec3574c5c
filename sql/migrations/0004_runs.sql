-- Grouping runs and their results. Written by save_grouping_run (0005) in one
-- transaction; admins read them through the dashboard views (0006).

create table public.runs (
  id uuid primary key default gen_random_uuid(),
  -- Increases with every run, even within one transaction: "run #42", and the
  -- order in which runs were saved.
  run_number bigint generated always as identity unique,
  policy_id uuid not null references public.grouping_policies (id) on delete restrict,
  status text not null default 'succeeded' check (status in ('succeeded', 'failed')),
  -- The options the engine actually ran with: the policy plus overrides.
  options jsonb not null default '{}'::jsonb check (jsonb_typeof(options) = 'object'),
  participant_count integer not null default 0 check (participant_count >= 0),
  assigned_count integer not null default 0 check (assigned_count >= 0),
  unassigned_count integer not null default 0 check (unassigned_count >= 0),
  group_count integer not null default 0 check (group_count >= 0),
  diagnostics jsonb not null default '{}'::jsonb check (jsonb_typeof(diagnostics) = 'object'),
  engine_version text,
  -- What started the run; for 'api' runs, which user.
  trigger_source text not null check (trigger_source in ('api', 'nightly', 'cli')),
  triggered_by uuid references auth.users (id) on delete set null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  error text,
  idempotency_key text unique check (length(idempotency_key) between 1 and 200),
  -- SHA-256 of what was asked, to tell a replay from a reused key.
  payload_hash text not null,
  created_at timestamptz not null default now(),
  constraint runs_counts_add_up check (participant_count = assigned_count + unassigned_count),
  constraint runs_finished_after_start check (finished_at is null or finished_at >= started_at),
  constraint runs_failure_has_error check ((status = 'failed') = (error is not null))
);

create index runs_policy_id on public.runs (policy_id);

create table public.groups (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references public.runs (id) on delete cascade,
  group_number integer not null check (group_number > 0),
  size integer not null check (size between 2 and 50),
  score double precision not null check (score between 0 and 1),
  kosher boolean not null,
  age_band text,
  age_min integer,
  age_max integer check (age_max >= age_min),
  diets jsonb not null default '{}'::jsonb check (jsonb_typeof(diets) = 'object'),
  -- Allergens at their highest severity in the group, without names.
  allergy_summary jsonb not null default '{}'::jsonb
    check (jsonb_typeof(allergy_summary) = 'object'),
  unique (run_id, group_number),
  -- Target of group_members' composite key: a member's group is in the member's run.
  unique (run_id, id)
);

create table public.group_members (
  run_id uuid not null,
  group_id uuid not null,
  participant_id uuid not null references public.participants (id) on delete restrict,
  -- A participant is in at most one group of a run.
  primary key (run_id, participant_id),
  -- The member's group belongs to the member's run.
  foreign key (run_id, group_id) references public.groups (run_id, id) on delete cascade
);

create index group_members_group_id on public.group_members (group_id);

create table public.unassigned_queue (
  run_id uuid not null references public.runs (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete restrict,
  reason text not null check (reason in (
    'invalid-profile',
    'missing-age',
    'age-out-of-range',
    'allergy-limit-exceeded',
    'insufficient-compatible-participants'
  )),
  -- Why, and what would change it (the pool, the field, the allergens).
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  primary key (run_id, participant_id)
);

create index unassigned_queue_participant_id on public.unassigned_queue (participant_id);

-- A participant is never both grouped and unassigned in one run. The check runs
-- once per statement over the changed rows (cheap for a 10,000-row save) and
-- first locks the runs concerned, so two concurrent writers to the same run are
-- checked one after the other and cannot both slip through.
create or replace function public.refuse_grouped_and_unassigned() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.runs as r
    where r.id in (select c.run_id from changed_rows as c)
    order by r.id
    for no key update;
  if tg_table_name = 'group_members' then
    perform 1 from changed_rows as c
      join public.unassigned_queue as u
        on u.run_id = c.run_id and u.participant_id = c.participant_id
      limit 1;
  else
    perform 1 from changed_rows as c
      join public.group_members as m
        on m.run_id = c.run_id and m.participant_id = c.participant_id
      limit 1;
  end if;
  if found then
    raise exception 'a participant is both grouped and unassigned in one run'
      using errcode = 'unique_violation';
  end if;
  return null;
end
$$;

revoke all on function public.refuse_grouped_and_unassigned()
  from public, anon, authenticated, service_role;

create trigger group_members_not_unassigned_on_insert
  after insert on public.group_members
  referencing new table as changed_rows
  for each statement execute function public.refuse_grouped_and_unassigned();
create trigger group_members_not_unassigned_on_update
  after update on public.group_members
  referencing new table as changed_rows
  for each statement execute function public.refuse_grouped_and_unassigned();
create trigger unassigned_queue_not_grouped_on_insert
  after insert on public.unassigned_queue
  referencing new table as changed_rows
  for each statement execute function public.refuse_grouped_and_unassigned();
create trigger unassigned_queue_not_grouped_on_update
  after update on public.unassigned_queue
  referencing new table as changed_rows
  for each statement execute function public.refuse_grouped_and_unassigned();

-- Grouping results are for admins only; linked participants see their own group
-- through public.my_group (0006), which exposes names and nothing else.
do $$
declare
  table_name text;
begin
  foreach table_name in array array['runs', 'groups', 'group_members', 'unassigned_queue'] loop
    execute format('alter table public.%I enable row level security', table_name);
    execute format('revoke all on table public.%I from anon', table_name);
    execute format(
      'create policy %I on public.%I for select to authenticated'
      ' using ((select public.is_admin()))', table_name || '_admin_select', table_name);
    execute format(
      'create policy %I on public.%I for insert to authenticated'
      ' with check ((select public.is_admin()))', table_name || '_admin_insert', table_name);
    execute format(
      'create policy %I on public.%I for update to authenticated'
      ' using ((select public.is_admin())) with check ((select public.is_admin()))',
      table_name || '_admin_update', table_name);
    execute format(
      'create policy %I on public.%I for delete to authenticated'
      ' using ((select public.is_admin()))', table_name || '_admin_delete', table_name);
  end loop;
end
$$;

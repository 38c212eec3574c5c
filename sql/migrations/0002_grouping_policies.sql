-- Grouping policies: the admin-editable options of a run. The CHECKs mirror the
-- engine's option rules (engine/options.py), so a stored policy always loads.

-- Band edges: at least one, none negative, strictly increasing, no nulls.
create or replace function public.age_bands_are_valid(bands integer[]) returns boolean
language sql immutable
set search_path = ''
as $$
  select coalesce(array_ndims(bands), 0) = 1
    and array_position(bands, null) is null
    and bands[array_lower(bands, 1)] >= 0
    and not exists (
      select 1
      from unnest(bands) with ordinality as earlier (edge, position)
      join unnest(bands) with ordinality as later (edge, position)
        on later.position = earlier.position + 1
      where later.edge <= earlier.edge
    )
$$;

create table public.grouping_policies (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  kosher_only boolean not null default false,
  min_group_size integer not null default 4,
  fallback_group_size integer not null default 5,
  target_group_size integer not null default 6,
  max_allergy_count integer not null default 3 check (max_allergy_count >= 0),
  age_policy text not null default 'banded' check (age_policy in ('banded', 'loose')),
  age_bands integer[] not null default '{18,25,30,35,40,50,60}',
  -- Keys left out keep the engine's default weight.
  scoring_weights jsonb not null default '{}'::jsonb,
  is_active boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  archived_at timestamptz,
  constraint grouping_policies_group_sizes check (
    2 <= min_group_size
    and min_group_size <= fallback_group_size
    and fallback_group_size <= target_group_size
    and target_group_size <= 50
  ),
  constraint grouping_policies_age_bands check (public.age_bands_are_valid(age_bands)),
  constraint grouping_policies_scoring_weights check (
    jsonb_typeof(scoring_weights) = 'object'
    and scoring_weights - array[
      'allergy_severe', 'allergy_moderate', 'allergy_mild', 'allergy_majority',
      'age', 'diet', 'size'
    ] = '{}'::jsonb
    and not jsonb_path_exists(
      scoring_weights, '$.* ? (@.type() != "number" || @ < 0 || @ > 10)'
    )
  ),
  constraint grouping_policies_archived_not_active check (
    not (is_active and archived_at is not null)
  )
);

comment on table public.grouping_policies is
  'Options of a grouping run; at most one policy is active (used by the nightly run).';

-- The trigger below keeps one policy active for sequential changes; this index is
-- what makes two concurrent activations unable to both commit.
create unique index grouping_policies_one_active
  on public.grouping_policies (is_active) where is_active;

create or replace function public.enforce_single_active_policy() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.grouping_policies
    set is_active = false
    where is_active and id <> new.id;
  return new;
end
$$;

create trigger single_active_policy_trigger
  before insert or update of is_active on public.grouping_policies
  for each row when (new.is_active)
  execute function public.enforce_single_active_policy();

create or replace function public.refuse_deleting_active_policy() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'the active grouping policy cannot be deleted'
    using errcode = 'GR003';
end
$$;

create trigger refuse_deleting_active_policy_trigger
  before delete on public.grouping_policies
  for each row when (old.is_active)
  execute function public.refuse_deleting_active_policy();

create trigger grouping_policies_touch_updated_at
  before update on public.grouping_policies
  for each row execute function public.touch_updated_at();

revoke all on function public.enforce_single_active_policy() from public, anon, authenticated, service_role;
revoke all on function public.refuse_deleting_active_policy() from public, anon, authenticated, service_role;

alter table public.grouping_policies enable row level security;
revoke all on table public.grouping_policies from anon;

create policy grouping_policies_admin_select on public.grouping_policies
  for select to authenticated using ((select public.is_admin()));
create policy grouping_policies_admin_insert on public.grouping_policies
  for insert to authenticated with check ((select public.is_admin()));
create policy grouping_policies_admin_update on public.grouping_policies
  for update to authenticated
  using ((select public.is_admin())) with check ((select public.is_admin()));
create policy grouping_policies_admin_delete on public.grouping_policies
  for delete to authenticated using ((select public.is_admin()));

-- Activate one policy (the others are deactivated by the trigger). Activations
-- queue on a transaction lock, so concurrent callers all succeed in turn and the
-- last one wins, instead of failing on the unique index.
create or replace function public.activate_grouping_policy(policy_id uuid)
returns public.grouping_policies
language plpgsql
set search_path = ''
as $$
declare
  chosen public.grouping_policies;
begin
  if not public.can_write_grouping() then
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

revoke all on function public.activate_grouping_policy(uuid) from public, anon;
grant execute on function public.activate_grouping_policy(uuid) to authenticated, service_role;

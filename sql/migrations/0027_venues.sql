-- Venues: the restaurants and hosts an admin plans dinner groups into, and the saved
-- venue plans of runs. The CHECKs mirror the engine's Venue model (engine/venues/
-- models.py), so a stored venue always loads and a kitchen can only declare an allergen
-- of the spec's canonical vocabulary.

-- The spec's canonical allergen keys (spec/grouping.md, Allergies); an `other:<text>`
-- allergen is never one a kitchen can declare.
create function private.canonical_allergens() returns text[]
language sql immutable
set search_path = ''
as $$
  select array[
    'celery', 'egg', 'fish', 'gluten', 'lupin', 'milk', 'mollusc', 'mustard',
    'peanut', 'sesame', 'shellfish', 'soy', 'sulphite', 'tree_nut'
  ]::text[]
$$;

-- Canonical keys only, none twice, no nulls.
create function private.allergen_keys_are_valid(keys text[]) returns boolean
language sql immutable
set search_path = ''
as $$
  select coalesce(array_ndims(keys), 1) = 1
    and array_position(keys, null) is null
    and keys <@ private.canonical_allergens()
    and cardinality(keys) = (select count(distinct key) from unnest(keys) as key)
$$;

revoke all on function private.canonical_allergens(), private.allergen_keys_are_valid(text[])
  from public, anon;
grant execute on function private.canonical_allergens(), private.allergen_keys_are_valid(text[])
  to authenticated, service_role;

create table public.venues (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  kosher boolean not null default false,
  -- How many groups, and how many seats, it takes per event.
  group_capacity integer not null check (group_capacity between 1 and 10000),
  seat_capacity integer not null check (seat_capacity between 1 and 100000),
  -- The allergens its kitchen can reliably keep out of a meal.
  keeps_out text[] not null default '{}',
  area text check (length(btrim(area)) between 1 and 200),
  -- Price per seat, whole currency units.
  cost integer check (cost between 0 and 1000000),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint venues_keeps_out_canonical check (private.allergen_keys_are_valid(keeps_out))
);

comment on table public.venues is
  'Where groups eat: kosher or not, groups and seats per event, allergens kept out.';

create trigger venues_touch_updated_at
  before update on public.venues
  for each row execute function public.touch_updated_at();

-- A run's saved venue plan (what POST /runs/{id}/venue-plan computed) and the admin's
-- pins, which the next plan keeps.
create table public.venue_plans (
  run_id uuid primary key references public.runs (id) on delete cascade,
  plan jsonb not null check (jsonb_typeof(plan) = 'object'),
  placed_count integer not null check (placed_count >= 0),
  unplaced_count integer not null check (unplaced_count >= 0),
  optimal boolean not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);

create table public.venue_assignments (
  run_id uuid not null references public.venue_plans (run_id) on delete cascade,
  group_id uuid not null,
  venue_id uuid not null references public.venues (id) on delete restrict,
  pinned boolean not null default false,
  primary key (run_id, group_id),
  -- The group is one of the plan's run.
  foreign key (run_id, group_id) references public.groups (run_id, id) on delete cascade
);

create index venue_assignments_venue_id on public.venue_assignments (venue_id);

-- Venues and plans are the organisers': admins only, as grouping policies are.
do $$
declare
  table_name text;
begin
  foreach table_name in array array['venues', 'venue_plans', 'venue_assignments'] loop
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

-- Every assignment keeps the plan's three rules, whoever writes it: a kosher group only
-- at a kosher venue, every severe allergen of the group one the venue keeps out, and
-- no venue over its groups or seats within a run. Checked once per statement over the
-- changed rows, after locking the venues concerned, so two writers cannot both slip
-- past a capacity.
create function private.refuse_invalid_venue_assignments() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.venues as v
    where v.id in (select c.venue_id from changed_rows as c)
    order by v.id
    for no key update;
  if exists (
    select 1
    from changed_rows as c
    join public.groups as g on g.id = c.group_id
    join public.venues as v on v.id = c.venue_id
    where not v.active
      or (g.kosher and not v.kosher)
      or not (
        array(select jsonb_array_elements_text(coalesce(g.allergy_summary -> 'severe', '[]')))
        <@ v.keeps_out
      )
  ) then
    raise exception 'a venue assignment breaks a venue rule (active, kosher, severe allergens)'
      using errcode = 'check_violation';
  end if;
  if exists (
    select 1
    from public.venue_assignments as a
    join public.groups as g on g.id = a.group_id
    join public.venues as v on v.id = a.venue_id
    where (a.run_id, a.venue_id) in (select c.run_id, c.venue_id from changed_rows as c)
    group by a.run_id, v.id, v.group_capacity, v.seat_capacity
    having count(*) > v.group_capacity or sum(g.size) > v.seat_capacity
  ) then
    raise exception 'a venue would take more groups or seats than it has'
      using errcode = 'check_violation';
  end if;
  return null;
end
$$;

revoke all on function private.refuse_invalid_venue_assignments()
  from public, anon, authenticated, service_role;

create trigger venue_assignments_keep_the_rules_on_insert
  after insert on public.venue_assignments
  referencing new table as changed_rows
  for each statement execute function private.refuse_invalid_venue_assignments();
create trigger venue_assignments_keep_the_rules_on_update
  after update on public.venue_assignments
  referencing new table as changed_rows
  for each statement execute function private.refuse_invalid_venue_assignments();

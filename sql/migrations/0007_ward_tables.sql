-- Ward cleaning groups (spec/wards.md): wards, who may manage them, the roster,
-- the stored A-D assignments with their version and audit trail, and the
-- cleaning schedules, sessions and attendance that participation is counted from.
-- Access rules are in 0011, triggers in 0012, statistics in 0013, RPCs in 0014.

create table public.ward_branches (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- user_hash links an account to its roster entry, so a member can read their
-- own assignment; it is optional because admins need not be on the roster.
create table public.ward_branch_members (
  id uuid primary key default gen_random_uuid(),
  ward_branch_id uuid not null references public.ward_branches (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('admin', 'leader', 'member')),
  user_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (ward_branch_id, user_id),
  unique (ward_branch_id, user_hash)
);

create index ward_branch_members_user_idx
  on public.ward_branch_members (user_id, role, ward_branch_id);

-- The roster the client syncs. household_id, when set, is the explicit household
-- that wins over the one derived from names, addresses and phones.
create table public.ward_members (
  id uuid primary key default gen_random_uuid(),
  ward_branch_id uuid not null references public.ward_branches (id) on delete cascade,
  user_hash text not null check (length(user_hash) > 0),
  first_name text not null,
  last_name text not null,
  address text,
  phone text,
  household_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (ward_branch_id, user_hash)
);

alter table public.ward_branch_members
  add constraint ward_branch_members_roster_fkey
  foreign key (ward_branch_id, user_hash)
  references public.ward_members (ward_branch_id, user_hash)
  on delete set null (user_hash);

-- The seed's table, plus a foreign key to the roster: an assignment only exists
-- for a member on the ward's roster, and leaves with them.
create table public.ward_member_groups (
  id uuid primary key default gen_random_uuid(),
  ward_branch_id uuid not null references public.ward_branches (id) on delete cascade,
  user_hash varchar not null,
  assigned_group varchar(1) not null check (assigned_group in ('A', 'B', 'C', 'D')),
  assignment_date timestamptz default now(),
  assigned_by uuid references auth.users (id) on delete set null,
  household_id varchar,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  unique (ward_branch_id, user_hash),
  foreign key (ward_branch_id, user_hash)
    references public.ward_members (ward_branch_id, user_hash) on delete cascade
);

create index ward_member_groups_lookup_idx
  on public.ward_member_groups (ward_branch_id, assigned_group);
create index ward_member_groups_household_idx on public.ward_member_groups (household_id);
create index ward_member_groups_user_hash_idx on public.ward_member_groups (user_hash);
create index ward_member_groups_assigned_by_idx on public.ward_member_groups (assigned_by);

-- One row per ward, created with the ward; a trigger on ward_member_groups moves
-- it on every statement that changes the ward's assignments (optimistic locking
-- for bulk updates). Kept apart from ward_branches so that no API role can write it.
create table public.ward_assignment_versions (
  ward_branch_id uuid primary key references public.ward_branches (id) on delete cascade,
  version bigint not null default 0,
  changed_at timestamptz not null default now()
);

-- Append-only history of ward_member_groups, written by trigger only. Ids grow in
-- commit order within a ward (they are drawn under the ward's version lock), which
-- is what restoring "the state before an entry" relies on.
create table public.audit_log (
  id bigint generated always as identity primary key,
  ward_branch_id uuid not null references public.ward_branches (id) on delete cascade,
  user_hash text not null,
  action text not null check (action in ('insert', 'update', 'delete')),
  old_group text,
  new_group text,
  old_household_id text,
  new_household_id text,
  -- no foreign key: who acted stays on record after their account is deleted
  actor_id uuid,
  changed_at timestamptz not null default now(),
  batch_id uuid not null,
  restored_from bigint references public.audit_log (id) on delete set null
);

create index audit_log_ward_idx on public.audit_log (ward_branch_id, id);
create index audit_log_batch_idx on public.audit_log (batch_id);
create index audit_log_restored_from_idx on public.audit_log (restored_from);

create table public.cleaning_schedules (
  id uuid primary key default gen_random_uuid(),
  ward_branch_id uuid not null references public.ward_branches (id) on delete cascade,
  assigned_group text not null check (assigned_group in ('A', 'B', 'C', 'D', 'All')),
  title text,
  schedule_date date not null,
  start_time time,
  end_time time,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, ward_branch_id),
  check (end_time is null or start_time is null or end_time > start_time)
);

create index cleaning_schedules_ward_idx
  on public.cleaning_schedules (ward_branch_id, assigned_group);

-- ward_branch_id is repeated on sessions and participants so that access rules
-- stay one lookup; the composite keys keep it equal to the schedule's ward.
create table public.cleaning_sessions (
  id uuid primary key default gen_random_uuid(),
  schedule_id uuid not null,
  ward_branch_id uuid not null,
  session_date date not null,
  created_at timestamptz not null default now(),
  unique (schedule_id, session_date),
  unique (id, ward_branch_id),
  foreign key (schedule_id, ward_branch_id)
    references public.cleaning_schedules (id, ward_branch_id) on delete cascade
);

create index cleaning_sessions_ward_idx on public.cleaning_sessions (ward_branch_id);

-- Not tied to the roster: a visitor may help, and the roster changes over time.
create table public.session_participants (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null,
  ward_branch_id uuid not null,
  user_hash text not null,
  attended boolean not null default true,
  created_at timestamptz not null default now(),
  unique (session_id, user_hash),
  foreign key (session_id, ward_branch_id)
    references public.cleaning_sessions (id, ward_branch_id) on delete cascade
);

create index session_participants_ward_idx
  on public.session_participants (ward_branch_id, user_hash);

-- Explicit grants rather than trusting default privileges: anon gets nothing,
-- the version and the audit trail are written by triggers only.
revoke all on public.ward_branches, public.ward_branch_members, public.ward_members,
  public.ward_member_groups, public.ward_assignment_versions, public.audit_log,
  public.cleaning_schedules, public.cleaning_sessions, public.session_participants
  from anon, authenticated;
grant select, insert, update, delete on public.ward_branches, public.ward_branch_members,
  public.ward_members, public.ward_member_groups, public.cleaning_schedules,
  public.cleaning_sessions, public.session_participants
  to authenticated;
grant select on public.ward_assignment_versions, public.audit_log to authenticated;
grant all on public.ward_branches, public.ward_branch_members, public.ward_members,
  public.ward_member_groups, public.ward_assignment_versions, public.audit_log,
  public.cleaning_schedules, public.cleaning_sessions, public.session_participants
  to service_role;

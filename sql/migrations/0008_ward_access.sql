-- Who may see and change ward data (Row Level Security).
--
-- As the seed's policy and routes say, a ward's data is for that ward's admins
-- and leaders (ward_branch_members.role). The global grouping admin
-- (app_metadata.role = 'admin') has no ward access by that role alone: ward
-- access is granted per ward. Beyond the seed:
--   * a ward member (any role) reads the ward's own row, its schedules and sessions
--     (the timetable they clean by) and their own ward_branch_members row;
--   * a member linked to a roster entry (ward_branch_members.user_hash) reads their
--     own roster row, their own assignment and their own attendance, and so their
--     own line of member_participation_stats;
--   * only a ward's admins (not leaders) manage who belongs to the ward and may
--     rename it; wards are created and deleted by the service role only;
--   * anon has no grants at all; the version and the audit trail have no write
--     policy (only triggers write them).
-- The helpers are security definer so that policies on ward_branch_members can
-- consult ward_branch_members without recursing into its own policies.

-- Wards in which the caller holds one of `p_roles`.
create function public.ward_ids_with_role(p_roles text[])
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select m.ward_branch_id
  from public.ward_branch_members m
  where m.user_id = (select auth.uid()) and m.role = any (p_roles)
$$;

-- The caller's role in one ward, null when they have none.
create function public.ward_role(p_ward_branch_id uuid)
returns text
language sql stable security definer set search_path = ''
as $$
  select m.role
  from public.ward_branch_members m
  where m.ward_branch_id = p_ward_branch_id and m.user_id = (select auth.uid())
$$;

-- The roster entries the caller's account is linked to, one per ward at most.
create function public.ward_own_user_hashes()
returns table (ward_branch_id uuid, user_hash text)
language sql stable security definer set search_path = ''
as $$
  select m.ward_branch_id, m.user_hash
  from public.ward_branch_members m
  where m.user_id = (select auth.uid()) and m.user_hash is not null
$$;

revoke execute on function public.ward_ids_with_role(text[]), public.ward_role(uuid),
  public.ward_own_user_hashes()
  from public, anon;
grant execute on function public.ward_ids_with_role(text[]), public.ward_role(uuid),
  public.ward_own_user_hashes()
  to authenticated, service_role;

alter table public.ward_branches enable row level security;
alter table public.ward_branch_members enable row level security;
alter table public.ward_members enable row level security;
alter table public.ward_member_groups enable row level security;
alter table public.ward_assignment_versions enable row level security;
alter table public.audit_log enable row level security;
alter table public.cleaning_schedules enable row level security;
alter table public.cleaning_sessions enable row level security;
alter table public.session_participants enable row level security;

-- ward_branches: members read their ward, admins rename it.
create policy ward_branches_select on public.ward_branches
  for select to authenticated
  using (id in (select public.ward_ids_with_role(array['admin', 'leader', 'member'])));
create policy ward_branches_update on public.ward_branches
  for update to authenticated
  using (id in (select public.ward_ids_with_role(array['admin'])))
  with check (id in (select public.ward_ids_with_role(array['admin'])));

-- ward_branch_members: admins and leaders see the ward's people, everyone sees
-- their own membership; only admins change memberships.
create policy ward_branch_members_select on public.ward_branch_members
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader']))
  );
create policy ward_branch_members_insert on public.ward_branch_members
  for insert to authenticated
  with check (ward_branch_id in (select public.ward_ids_with_role(array['admin'])));
create policy ward_branch_members_update on public.ward_branch_members
  for update to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin'])))
  with check (ward_branch_id in (select public.ward_ids_with_role(array['admin'])));
create policy ward_branch_members_delete on public.ward_branch_members
  for delete to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin'])));

-- ward_members (roster): a linked member reads their row (writes: see the end).
create policy ward_members_select on public.ward_members
  for select to authenticated
  using (
    ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash) in (select * from public.ward_own_user_hashes())
  );

-- ward_member_groups: a linked member reads their own assignment (writes: see the end).
create policy ward_member_groups_select on public.ward_member_groups
  for select to authenticated
  using (
    ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash::text) in (select * from public.ward_own_user_hashes())
  );

-- The version and the audit trail: read by admins and leaders, written by triggers.
create policy ward_assignment_versions_select on public.ward_assignment_versions
  for select to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])));
create policy audit_log_select on public.audit_log
  for select to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])));

-- cleaning_schedules and cleaning_sessions: the ward's timetable, read by every
-- member of the ward.
create policy cleaning_schedules_select on public.cleaning_schedules
  for select to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader', 'member'])));

create policy cleaning_sessions_select on public.cleaning_sessions
  for select to authenticated
  using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader', 'member'])));

-- session_participants: a linked member reads their own attendance.
create policy session_participants_select on public.session_participants
  for select to authenticated
  using (
    ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader']))
    or (ward_branch_id, user_hash) in (select * from public.ward_own_user_hashes())
  );

-- The ward's admins and leaders write the roster, the assignments, the timetable
-- and attendance: the seed's "ward admins can manage group assignments", one
-- policy per action, the same rule for each of these tables.
do $$
declare
  managed_table text;
begin
  foreach managed_table in array array[
    'ward_members', 'ward_member_groups', 'cleaning_schedules', 'cleaning_sessions',
    'session_participants'
  ] loop
    execute format($policies$
      create policy %1$I on public.%4$I
        for insert to authenticated
        with check (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])));
      create policy %2$I on public.%4$I
        for update to authenticated
        using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])))
        with check (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])));
      create policy %3$I on public.%4$I
        for delete to authenticated
        using (ward_branch_id in (select public.ward_ids_with_role(array['admin', 'leader'])));
    $policies$,
    managed_table || '_insert', managed_table || '_update', managed_table || '_delete',
    managed_table);
  end loop;
end
$$;

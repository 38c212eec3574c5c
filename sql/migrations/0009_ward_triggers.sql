-- Triggers of the ward tables: timestamps, the per-ward assignment version and the
-- audit trail. They fire for every writer (the bulk-update RPC, a dashboard writing
-- through PostgREST, the service role), so the version and the audit trail can
-- never be bypassed.

create trigger ward_branches_touch before update on public.ward_branches
  for each row execute function public.touch_updated_at();
create trigger ward_branch_members_touch before update on public.ward_branch_members
  for each row execute function public.touch_updated_at();
create trigger ward_members_touch before update on public.ward_members
  for each row execute function public.touch_updated_at();
create trigger cleaning_schedules_touch before update on public.cleaning_schedules
  for each row execute function public.touch_updated_at();

-- Every ward starts at assignment version 0. Security definer because no API role
-- may write the version table.
create function public.ward_create_assignment_version()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.ward_assignment_versions (ward_branch_id) values (new.id);
  return null;
end
$$;

create trigger ward_branches_create_version after insert on public.ward_branches
  for each row execute function public.ward_create_assignment_version();

-- Who assigned and when is the database's to say, not the client's: a changed
-- group is stamped with the caller (auth.uid(); the service role keeps what it
-- sent). An assignment keeps its ward and user_hash for life, so that its
-- audit trail stays one member's history (SQLSTATE WB006 otherwise).
create function public.ward_member_groups_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if (new.ward_branch_id, new.user_hash) is distinct from (old.ward_branch_id, old.user_hash) then
      raise exception 'an assignment cannot move to another ward or member'
        using errcode = 'WB006';
    end if;
    new.updated_at := now();
    if new.assigned_group is not distinct from old.assigned_group then
      return new;
    end if;
  end if;
  new.assignment_date := now();
  new.assigned_by := coalesce((select auth.uid()), new.assigned_by);
  return new;
end
$$;

create trigger ward_member_groups_stamp before insert or update on public.ward_member_groups
  for each row execute function public.ward_member_groups_stamp();

-- One changed assignment, as the audit trail records it.
create type public.ward_assignment_change as (
  ward_branch_id uuid,
  user_hash text,
  action text,
  old_group text,
  new_group text,
  old_household_id text,
  new_household_id text
);

-- After each statement: move the version of every ward whose assignments really
-- changed, then write one audit row per changed member. The version row is
-- updated first: its row lock serialises writers of one ward, so audit ids grow
-- in commit order within the ward. The batch id and the restored entry come from
-- transaction-local settings the RPCs set (ward.batch_id, ward.restored_from);
-- other writers get one fresh batch per statement. A ward being deleted takes its
-- history with it, so rows of wards that no longer exist are not audited.
create function public.ward_member_groups_record_change()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  changes public.ward_assignment_change[];
  this_batch uuid := coalesce(nullif(current_setting('ward.batch_id', true), '')::uuid,
                              gen_random_uuid());
  restored_entry bigint := nullif(current_setting('ward.restored_from', true), '')::bigint;
begin
  if tg_op = 'INSERT' then
    select array_agg((n.ward_branch_id, n.user_hash, 'insert', null, n.assigned_group,
                      null, n.household_id)::public.ward_assignment_change)
      into changes
    from new_rows n;
  elsif tg_op = 'UPDATE' then
    select array_agg((n.ward_branch_id, n.user_hash, 'update', o.assigned_group,
                      n.assigned_group, o.household_id,
                      n.household_id)::public.ward_assignment_change)
      into changes
    from old_rows o join new_rows n on n.id = o.id
    where (o.assigned_group, o.household_id) is distinct from (n.assigned_group, n.household_id);
  else
    select array_agg((o.ward_branch_id, o.user_hash, 'delete', o.assigned_group, null,
                      o.household_id, null)::public.ward_assignment_change)
      into changes
    from old_rows o;
  end if;

  update public.ward_assignment_versions v
  set version = v.version + 1, changed_at = now()
  where v.ward_branch_id in (select c.ward_branch_id from unnest(changes) c);

  insert into public.audit_log (ward_branch_id, user_hash, action, old_group, new_group,
                                old_household_id, new_household_id, actor_id, batch_id,
                                restored_from)
  select c.ward_branch_id, c.user_hash, c.action, c.old_group, c.new_group,
         c.old_household_id, c.new_household_id, (select auth.uid()), this_batch,
         restored_entry
  from unnest(changes) c
  where exists (select from public.ward_branches w where w.id = c.ward_branch_id)
  order by c.ward_branch_id, c.user_hash;
  return null;
end
$$;

create trigger ward_member_groups_audit_insert after insert on public.ward_member_groups
  referencing new table as new_rows
  for each statement execute function public.ward_member_groups_record_change();
create trigger ward_member_groups_audit_update after update on public.ward_member_groups
  referencing old table as old_rows new table as new_rows
  for each statement execute function public.ward_member_groups_record_change();
create trigger ward_member_groups_audit_delete after delete on public.ward_member_groups
  referencing old table as old_rows
  for each statement execute function public.ward_member_groups_record_change();

revoke execute on function public.ward_create_assignment_version(),
  public.ward_member_groups_stamp(), public.ward_member_groups_record_change()
  from public, anon, authenticated;

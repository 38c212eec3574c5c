-- The roster's own version, beside the assignment version: moved by every statement
-- that changes who is on a ward's roster or what household detection reads (names,
-- address, phone, explicit household), whoever writes it. The API keeps each ward's
-- households (a pure function of the roster) for as long as this version stands, so
-- a boundary drag does not re-read and re-detect thousands of members every time.

alter table public.ward_assignment_versions
  add column roster_version bigint not null default 0;

-- Security definer because no API role may write the version table.
create function public.ward_members_record_change()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  changed_wards uuid[];
begin
  if tg_op = 'INSERT' then
    select array_agg(distinct n.ward_branch_id) into changed_wards from new_rows n;
  elsif tg_op = 'UPDATE' then
    select array_agg(distinct w.ward_branch_id) into changed_wards
    from old_rows o
    join new_rows n on n.id = o.id
    cross join lateral (values (o.ward_branch_id), (n.ward_branch_id)) w(ward_branch_id)
    where (o.ward_branch_id, o.user_hash, o.first_name, o.last_name, o.address, o.phone,
           o.household_id)
      is distinct from (n.ward_branch_id, n.user_hash, n.first_name, n.last_name, n.address,
                        n.phone, n.household_id);
  else
    select array_agg(distinct o.ward_branch_id) into changed_wards from old_rows o;
  end if;

  update public.ward_assignment_versions v
  set roster_version = v.roster_version + 1
  where v.ward_branch_id = any(changed_wards);
  return null;
end
$$;

create trigger ward_members_version_insert after insert on public.ward_members
  referencing new table as new_rows
  for each statement execute function public.ward_members_record_change();
create trigger ward_members_version_update after update on public.ward_members
  referencing old table as old_rows new table as new_rows
  for each statement execute function public.ward_members_record_change();
create trigger ward_members_version_delete after delete on public.ward_members
  referencing old table as old_rows
  for each statement execute function public.ward_members_record_change();

revoke execute on function public.ward_members_record_change()
  from public, anon, authenticated;

-- ward_sync_roster: the ward's roster becomes exactly the list the client holds
-- (spec/wards.md "Roster and households"), in one call and one transaction, so a
-- refused sync writes nothing. Through PostgREST a sync of several statements could
-- not be all or nothing; this RPC is what makes it so.
--
-- p_members is a json array of
--   {"userHash": text, "firstName": text, "lastName": text,
--    "address": text or null, "phone": text or null, "householdId": text or null}.
-- Members not in the list leave the roster (their assignment goes with them, which
-- the triggers of 0012 audit and version); listed members are added or updated.
-- Returns {"added": n, "updated": n, "removed": n}.
--
-- Refusals, as in 0014 (DETAIL is a JSON object):
--   42501  the caller is not an admin or leader of the ward
--   P0002  the ward does not exist (only its admins and leaders can learn that)
--   WB005  the list is malformed, or names a member twice {"user_hash"?}

-- Refuses (WB005) a list that is not well-formed roster entries, each hash once.
create function public.ward_check_roster(p_members jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  offender text;
begin
  if jsonb_typeof(p_members) is distinct from 'array' then
    raise exception 'the roster must be a json array' using errcode = 'WB005';
  end if;
  if exists (
    select from jsonb_array_elements(p_members) e(item)
    where jsonb_typeof(e.item) <> 'object'
      or jsonb_typeof(e.item -> 'userHash') is distinct from 'string'
      or length(e.item ->> 'userHash') = 0
      or jsonb_typeof(e.item -> 'firstName') is distinct from 'string'
      or jsonb_typeof(e.item -> 'lastName') is distinct from 'string'
      or coalesce(jsonb_typeof(e.item -> 'address'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(e.item -> 'phone'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(e.item -> 'householdId'), 'null') not in ('string', 'null')
  ) then
    raise exception 'each roster entry is {userHash, firstName, lastName, ...}'
      using errcode = 'WB005';
  end if;

  select r."userHash" into offender
  from jsonb_to_recordset(p_members) r("userHash" text)
  group by r."userHash" having count(*) > 1
  order by r."userHash" limit 1;
  if found then
    raise exception 'member % is named twice', offender
      using errcode = 'WB005', detail = jsonb_build_object('user_hash', offender)::text;
  end if;
end
$$;

-- Security definer so that it can lock the ward's version row (no API role may
-- write it): a sync that removes assigned members then runs after, or before, a
-- concurrent bulk update of the ward, never in the middle of one.
create function public.ward_sync_roster(p_ward_branch_id uuid, p_members jsonb)
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  added_count bigint;
  updated_count bigint;
  removed_count bigint;
begin
  if coalesce(public.ward_role(p_ward_branch_id), '') not in ('admin', 'leader') then
    raise exception 'only the ward''s admins and leaders may sync its roster'
      using errcode = '42501';
  end if;
  perform from public.ward_assignment_versions v
  where v.ward_branch_id = p_ward_branch_id
  for update;
  if not found then
    raise exception 'unknown ward' using errcode = 'P0002';
  end if;
  perform public.ward_check_roster(p_members);

  delete from public.ward_members m
  where m.ward_branch_id = p_ward_branch_id
    and not exists (
      select from jsonb_array_elements(p_members) e(item)
      where e.item ->> 'userHash' = m.user_hash
    );
  get diagnostics removed_count = row_count;

  update public.ward_members m
  set first_name = r."firstName", last_name = r."lastName", address = r.address,
      phone = r.phone, household_id = r."householdId"
  from jsonb_to_recordset(p_members) r("userHash" text, "firstName" text, "lastName" text,
                                       address text, phone text, "householdId" text)
  where m.ward_branch_id = p_ward_branch_id
    and m.user_hash = r."userHash"
    and (m.first_name, m.last_name, m.address, m.phone, m.household_id)
      is distinct from (r."firstName", r."lastName", r.address, r.phone, r."householdId");
  get diagnostics updated_count = row_count;

  insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name, address,
                                   phone, household_id)
  select p_ward_branch_id, r."userHash", r."firstName", r."lastName", r.address, r.phone,
         r."householdId"
  from jsonb_to_recordset(p_members) r("userHash" text, "firstName" text, "lastName" text,
                                       address text, phone text, "householdId" text)
  where not exists (
    select from public.ward_members m
    where m.ward_branch_id = p_ward_branch_id and m.user_hash = r."userHash"
  )
  order by r."userHash";
  get diagnostics added_count = row_count;

  return jsonb_build_object(
    'added', added_count, 'updated', updated_count, 'removed', removed_count
  );
end
$$;

revoke execute on function public.ward_check_roster(jsonb)
  from public, anon, authenticated, service_role;
revoke execute on function public.ward_sync_roster(uuid, jsonb) from public, anon;
grant execute on function public.ward_sync_roster(uuid, jsonb) to authenticated, service_role;

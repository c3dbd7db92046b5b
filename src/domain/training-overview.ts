/** Training hours across units: the web desk's training page for supervisors and admins. */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { num, query } from '../db/sql.ts'

export interface UnitTraining {
  unitId: number
  unitName: string
  officers: number
  averageHours: number
  belowPace: number
}

/**
 * Training hours of every unit with active officers in `year`: officers, mean hours and how many
 * are below `pace` (the hours expected by today). One aggregate statement.
 */
export async function trainingOverview(db: Db, year: number, pace: number): Promise<UnitTraining[]> {
  const rows = await query<{
    unit_id: number | string
    unit_name: string
    officers: number | string
    average: number | string | null
    below: number | string
  }>(
    db,
    sql`select u.id as unit_id, u.name as unit_name, count(*) as officers,
          round(avg(o.hours)::numeric, 1) as average,
          count(*) filter (where o.hours < ${pace}) as below
        from (
          select f.id, f.unit_id, coalesce(sum(r.hours), 0) as hours
          from officers f
          left join training_records r on r.officer_id = f.id
            and r.taken_on between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date
          where f.active
          group by f.id, f.unit_id
        ) o join units u on u.id = o.unit_id
        group by u.id, u.name, u.kind
        order by case u.kind when 'subdistrict' then 0 when 'town' then 1 else 2 end, u.name`,
  )
  return rows.map((r) => ({
    unitId: num(r.unit_id),
    unitName: r.unit_name,
    officers: num(r.officers),
    averageHours: r.average === null ? 0 : Number(r.average),
    belowPace: num(r.below),
  }))
}

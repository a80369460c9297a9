-- A closed shift's energy as the KPI report shows it (edge/host/pg/line-history.ts closedShifts):
-- kWh by state and by 15-minute demand block, so any host answers a line's closed shifts as the
-- host that booked them. Rows stored before this migration have it null (shown as zeros / none).
ALTER TABLE shift_totals ADD COLUMN IF NOT EXISTS energy_detail jsonb;

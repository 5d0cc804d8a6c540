import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';

/**
 * Creates the Schedule, or brings an existing one up to this spec, action and policies: safe on every worker
 * start, from any number of workers (the first create wins, the others update to the same values).
 */
export async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<ScheduleHandle> {
  try {
    return await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const { spec, action, policies } = options;
    const handle = client.schedule.getHandle(options.scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action, policies }));
    return handle;
  }
}

package io.paramlab.jobs;

import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs that ended in this process whose end the store has not taken yet (it refused the write): shown as ended
 * from here, written again by {@link JobService}. Their rows still say queued or running, which this process
 * knows to be stale: what asks the store whether a job is active (a quota, a dataset's delete) leaves them out.
 * A row stays stale only in the instance that ended the job, so this map is the whole of it.
 */
@Component
final class UnstoredEnds {
    private final Map<String, LiveJob> jobs = new ConcurrentHashMap<>();

    LiveJob get(String id) {
        return jobs.get(id);
    }

    void put(LiveJob job) {
        jobs.put(job.id, job);
    }

    /** Once the store has taken its end. */
    void stored(LiveJob job) {
        jobs.remove(job.id, job);
    }

    Collection<LiveJob> all() {
        return jobs.values();
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    /** Of these jobs active in the store, those active indeed (not ended here). */
    List<String> active(List<String> activeInStore) {
        return activeInStore.stream().filter(id -> !jobs.containsKey(id)).toList();
    }

    @Override
    public String toString() {
        return jobs.keySet().toString();
    }
}

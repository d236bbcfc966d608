package io.paramlab.instances;

import io.paramlab.jobs.JobService;
import io.paramlab.model.ModelRegistry;
import io.paramlab.store.LeaseStore;
import io.paramlab.store.StoreShutdown;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This instance among the others on one PostgreSQL (API.md "Several instances"). It registers itself
 * with its address, keeps itself alive by a heartbeat every third of {@code lease-ttl}, and answers
 * where a request on a model goes: here when this instance holds the model's lease (or takes it now,
 * free or expired), else the holder's address. The heartbeat also takes over models whose jobs lost
 * their instance, so those jobs show {@code interrupted} without waiting for a request.
 *
 * <p>The embedded store has one instance and no leases: every model is here, and at start the jobs of
 * the last process are recovered as before.
 */
@Service
public class Instances {
    private static final Logger log = LoggerFactory.getLogger(Instances.class);
    private static final long REMOTE_TRUST_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LeaseStore leases;
    private final ModelRegistry registry;
    private final JobService jobs;
    private final Environment environment;
    private final StoreShutdown storeShutdown;
    private final Duration ttl;
    private final boolean shared;
    // models whose lease this instance holds, trusted while its own heartbeat is fresh
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile long freshUntil;   // System.nanoTime() until which this instance is surely alive in the store
    private volatile boolean registered;
    private ScheduledExecutorService heartbeat;
    private long beats;   // the heartbeat thread's alone
    // holders elsewhere as last looked up, trusted for a second: a forwarded request then costs no query here
    private final Map<String, Remote> remote = new ConcurrentHashMap<>();
    // one model's lease is looked up and taken by one request at a time (a stripe of models per lock)
    private final Object[] stripes = new Object[64];

    public Instances(LeaseStore leases, ModelRegistry registry, JobService jobs, Environment environment, DataSource dataSource,
                     StoreShutdown storeShutdown, @Value("${paramlab.instance.lease-ttl:10s}") Duration ttl) {
        this.storeShutdown = storeShutdown;
        this.leases = leases;
        this.registry = registry;
        this.jobs = jobs;
        this.environment = environment;
        this.ttl = ttl;
        this.shared = LeaseStore.shared(dataSource);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("paramlab.instance.lease-ttl must be at least 1s, not " + ttl);
        }
    }

    /** Whether other instances may share the store (PostgreSQL): only then do requests need routing. */
    public boolean shared() {
        return shared;
    }

    public String instanceId() {
        return leases.instanceId();
    }

    public Duration leaseTtl() {
        return ttl;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (!shared) {
            jobs.recoverAll();
            return;
        }
        String url = url();
        leases.register(url, ttl);
        freshUntil = System.nanoTime() + fresh();
        registered = true;
        log.info("Instance {} at {} on a shared store: holds the models it creates or takes over, forwards the others' requests"
                + " (lease-ttl {})", leases.instanceId(), url, ttl);
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "paramlab-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(100, ttl.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
    }

    /** {@code paramlab.instance.url}, or {@code http://<host name>:<port>}: where the other instances reach this one. */
    private String url() {
        String configured = environment.getProperty("paramlab.instance.url");
        if (configured != null && !configured.isBlank()) {
            return configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
        }
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        try {
            return "http://" + InetAddress.getLocalHost().getHostName() + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("set paramlab.instance.url: this host has no name the other instances could use", e);
        }
    }

    /** A heartbeat is trusted for two thirds of the ttl: one period late is still fresh, two are not. */
    private long fresh() {
        return ttl.toNanos() * 2 / 3;
    }

    private void beat() {
        long started = System.nanoTime();
        try {
            if (leases.renew(ttl)) {
                freshUntil = started + fresh();
            } else {
                // expired (a pause or a lost database longer than the ttl): others may have taken any of its models
                log.warn("Instance {} found itself expired: it drops every model it held and starts holding afresh", leases.instanceId());
                freshUntil = 0;
                held.clear();
                registry.forgetAll();
                leases.revive(ttl);
                freshUntil = started + fresh();
            }
            remote.values().removeIf(r -> r.until() < started);
            for (String modelId : leases.modelsWithOrphanedJobs()) {
                route(modelId);   // takes the model (and so its jobs) unless another instance got there first
            }
            if (++beats % 1000 == 0) {
                leases.forgetLongExpired();
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat of instance {} failed: {}", leases.instanceId(), e.toString());
        }
    }

    /**
     * Where a request on {@code modelId} goes: empty for here (this instance holds the model, has just taken it,
     * or there is no such model), else the holder's base URL.
     */
    public Optional<String> route(String modelId) {
        if (!shared) {
            return Optional.empty();
        }
        if (!registered) {
            throw new NotYetRegisteredException();
        }
        long now = System.nanoTime();
        if (held.contains(modelId) && now < freshUntil) {
            return Optional.empty();
        }
        Remote known = remote.get(modelId);
        if (known != null && now < known.until()) {
            return Optional.of(known.url());
        }
        synchronized (stripes[Math.floorMod(modelId.hashCode(), stripes.length)]) {
            return lookUp(modelId);
        }
    }

    private Optional<String> lookUp(String modelId) {
        remote.remove(modelId);
        Optional<LeaseStore.Lease> lease = leases.acquire(modelId);
        if (lease.isEmpty()) {
            held.remove(modelId);
            return Optional.empty();   // no such model: answered here (404)
        }
        if (!lease.get().instanceId().equals(leases.instanceId())) {
            if (held.remove(modelId)) {
                registry.forget(modelId);   // taken while this instance was cut off: what it kept is stale
            }
            remote.put(modelId, new Remote(lease.get().url(), System.nanoTime() + REMOTE_TRUST_NANOS));
            return Optional.of(lease.get().url());
        }
        held.add(modelId);
        if (lease.get().taken() != LeaseStore.Taken.HELD) {
            registry.forget(modelId);   // another instance may have changed it since this one last held it
            log.info("Instance {} took model {} ({})", leases.instanceId(), modelId,
                    lease.get().taken() == LeaseStore.Taken.FREE ? "free" : "its holder had expired");
            jobs.adopt(modelId);
        }
        return Optional.empty();
    }

    /**
     * A graceful stop: jobs stop as interrupted first, then the leases are free for the other instances at once;
     * the store work of both bounded by {@link StoreShutdown} (past it, the leases expire with this instance's ttl).
     */
    @PreDestroy
    void stop() throws InterruptedException {
        if (!shared || !registered) {
            return;
        }
        heartbeat.shutdownNow();
        jobs.shutdown();
        storeShutdown.run("leases", () -> {
            try {
                leases.releaseAll();
            } catch (RuntimeException e) {
                log.warn("instance {} could not release its leases (they expire within {}): {}", leases.instanceId(), ttl, e.toString());
            }
        }, () -> "the release of instance " + leases.instanceId() + "'s leases (they expire within its lease-ttl, " + ttl.toMillis() + " ms)");
    }

    private record Remote(String url, long until) {
    }

    /** The holder at {@code url} did not answer: forget the models remembered there, so the next requests look them up. */
    public void unreachable(String url) {
        remote.values().removeIf(r -> r.url().equals(url));
    }

    /** A request before this instance registered (it is not ready yet): 503, as its readiness probe says. */
    static final class NotYetRegisteredException extends RuntimeException {
        NotYetRegisteredException() {
            super("this instance is starting; it serves models once it is registered with the store");
        }
    }
}

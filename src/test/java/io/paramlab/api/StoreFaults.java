package io.paramlab.api;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The application's DataSource with faults a test switches on, to put a store failure or another
 * request at an exact point of a service's work (no sleeps):
 * {@link #afterRelease} runs a hook once, when the connection that prepared a matching statement goes back
 * to the pool (its transaction ended, nothing of the service holds the database); {@link #beforePrepare}
 * once, before a matching statement is prepared; {@link #failWrites} makes every INSERT, UPDATE and DELETE
 * throw as a read-only database does, {@link #failWritesOf} those that bind one value, {@link #failWriteOnceOf}
 * the first one that binds it.
 */
@TestConfiguration(proxyBeanMethods = false)
class StoreFaults {
    private record Hook(Predicate<String> sql, Runnable action) {
    }

    private static final AtomicReference<Hook> AFTER_RELEASE = new AtomicReference<>();
    private static final AtomicReference<Hook> BEFORE_PREPARE = new AtomicReference<>();
    static volatile boolean failWrites;
    /** While set, the writes that bind this value (a job's id, say) throw, the others go through. */
    static volatile String failWritesOf;
    /** While set, the first write that binds this value throws (and clears it), the others go through. */
    static final AtomicReference<String> failWriteOnceOf = new AtomicReference<>();

    static void afterRelease(Predicate<String> sql, Runnable action) {
        AFTER_RELEASE.set(new Hook(sql, action));
    }

    static void beforePrepare(Predicate<String> sql, Runnable action) {
        BEFORE_PREPARE.set(new Hook(sql, action));
    }

    static void reset() {
        AFTER_RELEASE.set(null);
        BEFORE_PREPARE.set(null);
        failWrites = false;
        failWritesOf = null;
        failWriteOnceOf.set(null);
    }

    @Bean
    static BeanPostProcessor storeFaultsDataSource() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof DataSource dataSource ? wrap(dataSource) : bean;
            }
        };
    }

    private static DataSource wrap(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(StoreFaults.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, target, args);
                    return method.getName().equals("getConnection") ? connection((Connection) result) : result;
                });
    }

    private static Connection connection(Connection target) {
        Hook[] released = new Hook[1];   // the after-release hook this connection has met, run at its close
        return (Connection) Proxy.newProxyInstance(StoreFaults.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("prepareStatement") && args[0] instanceof String sql) {
                        Hook before = BEFORE_PREPARE.get();
                        if (before != null && before.sql().test(sql) && BEFORE_PREPARE.compareAndSet(before, null)) {
                            before.action().run();
                        }
                        Hook after = AFTER_RELEASE.get();
                        if (after != null && after.sql().test(sql) && AFTER_RELEASE.compareAndSet(after, null)) {
                            released[0] = after;
                        }
                        String verb = sql.stripLeading().toUpperCase(Locale.ROOT);
                        boolean write = verb.startsWith("INSERT") || verb.startsWith("UPDATE") || verb.startsWith("DELETE");
                        if (failWrites && write) {
                            throw new SQLException(READ_ONLY);
                        }
                        String value = failWritesOf;
                        if (value != null && write) {
                            return failingIfBound((PreparedStatement) invoke(method, target, args), value, false);
                        }
                        String once = failWriteOnceOf.get();
                        if (once != null && write) {
                            return failingIfBound((PreparedStatement) invoke(method, target, args), once, true);
                        }
                    }
                    Object result = invoke(method, target, args);
                    if (name.equals("close") && released[0] != null) {
                        Hook hook = released[0];
                        released[0] = null;
                        hook.action().run();
                    }
                    return result;
                });
    }

    private static final String READ_ONLY = "[SQLITE_READONLY] attempt to write a readonly database (StoreFaults)";

    /** The statement, throwing at its execution when {@code value} is among its parameters (the first time only, if {@code once}). */
    private static PreparedStatement failingIfBound(PreparedStatement target, String value, boolean once) {
        boolean[] bound = new boolean[1];
        return (PreparedStatement) Proxy.newProxyInstance(StoreFaults.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("set") && args != null && args.length >= 2 && value.equals(args[1])) {
                        bound[0] = true;
                    }
                    if (method.getName().startsWith("execute") && bound[0] && (!once || failWriteOnceOf.compareAndSet(value, null))) {
                        throw new SQLException(READ_ONLY);
                    }
                    return invoke(method, target, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

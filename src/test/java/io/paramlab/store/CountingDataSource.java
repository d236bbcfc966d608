package io.paramlab.store;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * A DataSource that records what goes through it: each prepared statement's SQL as it is executed, and
 * the bytes bound to it, and the transactions committed. Tests count with it what a store writes, without trusting the store's own account.
 */
public final class CountingDataSource {
    /** One executed statement: its SQL and the bytes of its byte-array parameters. */
    public record Executed(String sql, long boundBytes) {
    }

    private final List<Executed> executed = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    private final DataSource dataSource;

    public CountingDataSource(DataSource target) {
        this.dataSource = proxy(DataSource.class, target, (method, args, result) -> method.getName().equals("getConnection")
                ? proxy(Connection.class, result, (m, a, r) -> {
                    if (m.getName().equals("commit")) {
                        commits.incrementAndGet();
                    }
                    return m.getName().equals("prepareStatement") ? statement((PreparedStatement) r, (String) a[0]) : r;
                })
                : result);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public void clear() {
        executed.clear();
        commits.set(0);
    }

    /** How many transactions were committed ({@code Connection.commit}, each an fsync on SQLite). */
    public long commits() {
        return commits.get();
    }

    public List<Executed> executed() {
        synchronized (executed) {
            return List.copyOf(executed);
        }
    }

    /** How many executed statements match. */
    public long count(Predicate<String> sql) {
        return executed().stream().filter(e -> sql.test(e.sql())).count();
    }

    /** The bytes bound to the executed statements that match. */
    public long boundBytes(Predicate<String> sql) {
        return executed().stream().filter(e -> sql.test(e.sql())).mapToLong(Executed::boundBytes).sum();
    }

    private PreparedStatement statement(PreparedStatement target, String sql) {
        long[] bound = new long[1];
        return proxy(PreparedStatement.class, target, (method, args, result) -> {
            String name = method.getName();
            if ((name.equals("setBytes") || name.equals("setObject")) && args.length >= 2 && args[1] instanceof byte[] bytes) {
                bound[0] += bytes.length;
            }
            if (name.startsWith("execute")) {
                executed.add(new Executed(sql, bound[0]));
                bound[0] = 0;
            }
            return result;
        });
    }

    private interface After {
        Object apply(Method method, Object[] args, Object result) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, After after) {
        InvocationHandler handler = (proxy, method, args) -> after.apply(method, args == null ? new Object[0] : args, invoke(method, target, args));
        return (T) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

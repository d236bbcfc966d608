package io.paramlab.ops;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps {@code paramlab.log-format} (env LOG_FORMAT) onto Boot's structured console logging before the
 * logging system starts: {@code plain} (the default) keeps Boot's text lines, {@code ecs},
 * {@code logstash} or {@code gelf} write one JSON object per line. Boot's own
 * {@code logging.structured.format.console}, when set, wins. An unknown value stops the start-up with
 * a clear message instead of silently logging in another format.
 */
public class LogFormatEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
    static final String PROPERTY = "paramlab.log-format";
    static final String BOOT_PROPERTY = "logging.structured.format.console";
    static final Set<String> STRUCTURED = Set.of("ecs", "logstash", "gelf");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String format = environment.getProperty(PROPERTY, "plain").trim().toLowerCase(Locale.ROOT);
        if (format.isEmpty() || format.equals("plain") || environment.containsProperty(BOOT_PROPERTY)) {
            return;
        }
        if (!STRUCTURED.contains(format)) {
            throw new IllegalStateException(PROPERTY + " (LOG_FORMAT) is \"" + format
                    + "\"; it must be one of plain, ecs, logstash, gelf");
        }
        environment.getPropertySources().addLast(new MapPropertySource("paramlabLogFormat", Map.of(BOOT_PROPERTY, format)));
    }

    /** After application.properties is read (ConfigDataEnvironmentPostProcessor), before logging starts. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

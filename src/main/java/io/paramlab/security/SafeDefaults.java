package io.paramlab.security;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Safe by default, decided before the server starts: with no tokens and no JWT issuer the API is open,
 * so it listens on the loopback interface only unless {@code PARAMLAB_AUTH=none} (open on purpose) or
 * an explicit {@code server.address} says otherwise; and in the container image
 * ({@code PARAMLAB_CONTAINER=true}, set by the Dockerfile), where loopback would only hide the
 * mistake, it refuses to start open unless {@code PARAMLAB_AUTH=none}.
 */
public class SafeDefaults implements EnvironmentPostProcessor, Ordered {
    static final String LOOPBACK = "127.0.0.1";
    static final List<String> JWT_PROPERTIES = List.of("spring.security.oauth2.resourceserver.jwt.issuer-uri",
            "spring.security.oauth2.resourceserver.jwt.jwk-set-uri", "spring.security.oauth2.resourceserver.jwt.public-key-location");

    /** What the environment says, as the decision needs it. */
    record Setting(boolean secured, String auth, boolean container, boolean addressSet) {
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Setting setting = new Setting(secured(environment), environment.getProperty("paramlab.auth", ""),
                environment.getProperty("paramlab.container", Boolean.class, false), environment.containsProperty("server.address"));
        String address = address(setting);
        if (address != null) {
            environment.getPropertySources().addLast(new MapPropertySource("paramlabSafeDefaults", Map.of("server.address", address)));
        }
    }

    /** The address to listen on when the setting does not name one (null: leave it), or a refusal to start. */
    static String address(Setting setting) {
        String auth = setting.auth() == null ? "" : setting.auth().trim().toLowerCase(Locale.ROOT);
        if (!auth.isEmpty() && !auth.equals("none")) {
            throw new IllegalStateException("paramlab.auth (PARAMLAB_AUTH) is \"" + setting.auth()
                    + "\"; it is either unset or none (no access control, on purpose)");
        }
        if (setting.secured() || auth.equals("none")) {
            return null;
        }
        if (setting.container()) {
            throw new IllegalStateException("paramlab will not start in a container without access control: configure a token"
                    + " (PARAMLAB_SECURITY_TOKENS_0_NAME, _ROLE and _SHA256, see docs/configuration.md, Access control) or a JWT issuer,"
                    + " or set PARAMLAB_AUTH=none to run it open on purpose");
        }
        return setting.addressSet() ? null : LOOPBACK;
    }

    /** Whether tokens or a JWT issuer are configured, read as the configuration properties will bind them. */
    static boolean secured(ConfigurableEnvironment environment) {
        List<AccessProperties.Token> tokens = Binder.get(environment)
                .bind("paramlab.security.tokens", Bindable.listOf(AccessProperties.Token.class)).orElse(List.of());
        return !tokens.isEmpty() || JWT_PROPERTIES.stream().anyMatch(environment::containsProperty);
    }

    /** After application.properties is read (ConfigDataEnvironmentPostProcessor). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

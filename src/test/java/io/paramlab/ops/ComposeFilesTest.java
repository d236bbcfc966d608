package io.paramlab.ops;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No container engine runs on the machines that build this project, so the team's compose files are
 * checked statically: the team profile's instances share its PostgreSQL, each advertises its own
 * address, both take the tokens from the same env file, and the proxy's upstream is exactly those
 * instances (deploy/nginx.conf, whose syntax {@code nginx -t} accepted when it was written).
 */
class ComposeFilesTest {
    private static final Path ROOT = Path.of(".");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void theTeamIsTwoInstancesOnOnePostgresBehindTheProxy() throws IOException {
        Map<String, Object> services = services();
        Set<String> instances = new TreeSet<>();
        services.forEach((name, value) -> {
            Map<String, Object> service = map(value);
            if (service.get("profiles") instanceof List<?> profiles && profiles.contains("team")
                    && map(service.getOrDefault("environment", Map.of())).containsKey("PARAMLAB_INSTANCE_URL")) {
                instances.add(name);
            }
        });
        assertThat(instances).containsExactly("paramlab-1", "paramlab-2");
        assertThat(map(services.get("postgres")).get("profiles")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .contains("team");

        for (String name : instances) {
            Map<String, Object> service = map(services.get(name));
            Map<String, Object> environment = map(service.get("environment"));
            URI address = URI.create(String.valueOf(environment.get("PARAMLAB_INSTANCE_URL")));
            assertThat(address.getHost()).as("%s advertises itself", name).isEqualTo(name);
            assertThat(address.getPort()).as("%s's port", name).isEqualTo(Integer.parseInt(String.valueOf(environment.get("PORT"))));
            assertThat(String.valueOf(environment.get("SPRING_DATASOURCE_URL"))).isEqualTo("jdbc:postgresql://postgres:5432/paramlab");
            assertThat(map(service.get("depends_on"))).containsKey("postgres");
            assertThat(String.valueOf(service.get("env_file"))).as("%s's tokens", name).contains(".env");
            assertThat(service).doesNotContainKey("ports");
        }

        Map<String, Object> proxy = map(services.get("proxy"));
        assertThat(map(proxy.get("depends_on")).keySet()).containsExactlyInAnyOrderElementsOf(instances);
        String mount = String.valueOf(((List<?>) proxy.get("volumes")).get(0));
        Path config = ROOT.resolve(mount.substring(0, mount.indexOf(':')));
        Matcher server = Pattern.compile("(?m)^\\s*server\\s+([\\w.-]+):(\\d+)").matcher(Files.readString(config));
        Set<String> upstream = new TreeSet<>();
        while (server.find()) {
            upstream.add(server.group(1) + ":" + server.group(2));
        }
        assertThat(upstream).containsExactly("paramlab-1:8080", "paramlab-2:8080");
    }

    @Test
    void theImageRefusesToRunOpenUnlessTold() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("ENV PARAMLAB_CONTAINER=true").doesNotContainPattern("(?m)^\\s*ENV\\s.*PARAMLAB_AUTH");
        services().forEach((name, service) -> assertThat(String.valueOf(map(service).get("environment")))
                .as("%s's environment", name).doesNotContain("PARAMLAB_AUTH"));
    }
}

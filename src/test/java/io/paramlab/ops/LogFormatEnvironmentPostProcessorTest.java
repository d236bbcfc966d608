package io.paramlab.ops;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** paramlab.log-format (LOG_FORMAT) onto Boot's logging.structured.format.console. */
class LogFormatEnvironmentPostProcessorTest {
    final LogFormatEnvironmentPostProcessor processor = new LogFormatEnvironmentPostProcessor();

    private MockEnvironment apply(MockEnvironment environment) {
        processor.postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void plainByDefaultAndWhenAsked() {
        assertThat(apply(new MockEnvironment()).getProperty("logging.structured.format.console")).isNull();
        assertThat(apply(new MockEnvironment().withProperty("paramlab.log-format", "plain"))
                .getProperty("logging.structured.format.console")).isNull();
    }

    @Test
    void structuredFormatsGoToBoot() {
        for (String format : new String[] {"ecs", "logstash", "gelf", "ECS"}) {
            assertThat(apply(new MockEnvironment().withProperty("paramlab.log-format", format))
                    .getProperty("logging.structured.format.console")).isEqualTo(format.toLowerCase());
        }
    }

    @Test
    void bootsOwnPropertyWins() {
        MockEnvironment environment = new MockEnvironment().withProperty("paramlab.log-format", "ecs")
                .withProperty("logging.structured.format.console", "logstash");
        assertThat(apply(environment).getProperty("logging.structured.format.console")).isEqualTo("logstash");
    }

    @Test
    void unknownFormatStopsTheStartWithTheChoices() {
        assertThatIllegalStateException()
                .isThrownBy(() -> apply(new MockEnvironment().withProperty("paramlab.log-format", "json")))
                .withMessageContaining("plain, ecs, logstash, gelf");
    }
}

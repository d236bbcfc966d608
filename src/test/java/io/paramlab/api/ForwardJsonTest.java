package io.paramlab.api;

import io.paramlab.nn.TensorData;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.mock.http.MockHttpInputMessage;
import org.springframework.mock.http.MockHttpOutputMessage;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The forward's converter reads and writes exactly as Boot's JSON converter: the same values, the same errors, the same bytes. */
class ForwardJsonTest {
    private static final JsonMapper MAPPER = mapper();
    private static final JacksonJsonHttpMessageConverter BOOT = new JacksonJsonHttpMessageConverter(MAPPER);
    private static final ForwardJson FORWARD = new ForwardJson(BOOT);
    private static final ResolvableType REQUEST = ResolvableType.forClass(ComputeController.ForwardRequest.class);

    private static JsonMapper mapper() {
        JsonMapper.Builder builder = JsonMapper.builder().addModule(TensorJson.module());
        new ApiConfiguration(null, null).strictJsonReading().customize(builder);
        return builder.build();
    }

    @Test
    void readsEveryBodyAsBootsConverter() throws Exception {
        List<String> bodies = List.of("{\"input\": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}",
                "{\"input\": {\"shape\": [2], \"dtype\": \"int64\", \"data\": [1, 2]}, \"module\": \"0\"}",
                "{\"inputs\": [[1.0], null], \"kwargs\": {\"h\": [[0.5]]}}", "{\"input\": \"NaN\"}",
                "{\"input\": [[1, 2], [3]]}", "{\"input\": [1], \"input\": [2]}", "{\"input\": [1], \"extra\": 1}",
                "{\"input\": [1]} trailing", "{\"input\": [1]", "{\"module\": 5}", "[1, 2]", "",
                "{\"input\": {\"shape\": [3], \"data\": [1, 2]}}", "{\"input\": {\"dtype\": \"float64\", \"data\": [1]}}");
        for (String body : bodies) {
            Object boot = read(BOOT, body, "application/json");
            Object ours = read(FORWARD, body, "application/json");
            assertThat(describe(ours)).as(body).isEqualTo(describe(boot));
        }
        assertThat(describe(read(FORWARD, bodies.get(0), "application/json;charset=ISO-8859-1")))
                .isEqualTo(describe(read(BOOT, bodies.get(0), "application/json;charset=ISO-8859-1")));
    }

    @Test
    void writesTheAnswerAsBootsConverter() throws Exception {
        for (Object output : List.of(TensorData.ofFloats(new float[]{0.3108825f, 0.50040317f, Float.NaN, Float.NEGATIVE_INFINITY}, 2, 2),
                Arrays.asList(TensorData.ofLongs(new long[]{1, 2}, 2), null, List.of(TensorData.ofBools(new boolean[]{true}, 1))),
                TensorData.ofFloats(new float[]{1e-8f, -0.0f, 3.4028235e38f, 1.0f}, 4, 1, 1), List.of(), Arrays.asList(1.5f, "x"),
                List.of(TensorData.ofFloats(new float[0], 0, 3)))) {
            ComputeController.ForwardResponse answer = new ComputeController.ForwardResponse(output);
            assertThat(write(FORWARD, answer)).isEqualTo(write(BOOT, answer));
        }
        ComputeController.ForwardResponse none = new ComputeController.ForwardResponse(null);
        assertThat(write(FORWARD, none)).isEqualTo(write(BOOT, none));
    }

    @Test
    void onlyTheForwardsTypesAreItsOwn() {
        assertThat(FORWARD.canRead(ComputeController.ForwardRequest.class, MediaType.APPLICATION_JSON)).isTrue();
        assertThat(FORWARD.canRead(ComputeController.BackwardRequest.class, MediaType.APPLICATION_JSON)).isFalse();
        assertThat(FORWARD.canWrite(ComputeController.ForwardResponse.class, MediaType.APPLICATION_JSON)).isTrue();
        assertThat(FORWARD.canWrite(ComputeController.BackwardResponse.class, MediaType.APPLICATION_JSON)).isFalse();
        assertThat(FORWARD.getSupportedMediaTypes()).isEqualTo(BOOT.getSupportedMediaTypes());
    }

    /** A value that is not a number is named by its place in the data (the name is built only then, not per value). */
    @Test
    void aBadValueIsNamedByItsPlace() {
        assertThat(describe(read(FORWARD, "{\"input\": [[1, 2], [3, \"x\"]]}", "application/json")))
                .contains("data[1][1]: expected a number or \"NaN\", \"Infinity\", \"-Infinity\", got \"x\"");
        assertThat(describe(read(FORWARD, "{\"input\": [[1, true], [null, 2]]}", "application/json")))
                .contains("data[1][0]: expected a number, got VALUE_NULL");
        assertThat(describe(read(FORWARD, "{\"input\": {\"shape\": [2], \"data\": [1, \"y\"]}}", "application/json")))
                .contains("data[1]: expected a number or \"NaN\"");
        assertThat(describe(read(FORWARD, "{\"input\": {\"data\": \"z\"}}", "application/json")))
                .contains("data: expected a number or \"NaN\"");
    }

    /** The forward's body is read without @Valid: it declares no constraint, so validating it could refuse nothing. */
    @Test
    void theForwardRequestDeclaresNoConstraint() {
        try (var factory = Validation.buildDefaultValidatorFactory()) {
            assertThat(factory.getValidator().getConstraintsForClass(ComputeController.ForwardRequest.class).isBeanConstrained()).isFalse();
        }
    }

    private static Object read(JacksonJsonHttpMessageConverter converter, String body, String contentType) {
        MockHttpInputMessage input = new MockHttpInputMessage(body.getBytes(StandardCharsets.UTF_8));
        input.getHeaders().setContentType(MediaType.parseMediaType(contentType));
        try {
            return converter.read(REQUEST, input, null);
        } catch (Exception e) {
            return e;
        }
    }

    private static String describe(Object read) {
        if (read instanceof Exception e) {
            return e.getClass().getName() + ": " + e.getMessage() + " / " + (e.getCause() == null ? null : e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
        }
        ComputeController.ForwardRequest r = (ComputeController.ForwardRequest) read;
        return MAPPER.writeValueAsString(Arrays.asList(r.input(), r.inputs(), r.kwargs(), r.module()));
    }

    private static String write(JacksonJsonHttpMessageConverter converter, ComputeController.ForwardResponse answer) throws Exception {
        MockHttpOutputMessage output = new MockHttpOutputMessage();
        converter.write(answer, ResolvableType.forClass(ComputeController.ForwardResponse.class), MediaType.APPLICATION_JSON, output, null);
        return output.getHeaders().getContentType() + " " + output.getBodyAsString(StandardCharsets.UTF_8);
    }
}

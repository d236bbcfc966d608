package io.paramlab.ops;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparison the documentation's examples are held to (see {@link DocExamples}). */
class DocExamplesTest {
    @Test
    void blocksAreTheShTestFencesWithTheirHashLines() {
        DocExamples d = DocExamples.parse("text\n```sh\nnot run\n```\n```sh test\nA=1\necho $A   # a comment\n# 1\n#\n```\n");
        assertThat(d.blocks()).hasSize(1);
        assertThat(d.blocks().get(0).expected()).containsExactly("1", "");
        assertThat(d.blocks().get(0).line()).isEqualTo(5);
    }

    @Test
    void numbersWithinTheConformanceTolerance() {
        assertThat(DocExamples.lineMatches("{\"loss\":0.36264318,\"step_count\":1}", "{\"loss\":0.36264312,\"step_count\":1}")).isTrue();
        assertThat(DocExamples.lineMatches("[1,2]", "[1.0,2.000001]")).isTrue();
        assertThat(DocExamples.lineMatches("0.3626", "0.3627")).isFalse();
        assertThat(DocExamples.lineMatches("[1,2]", "[1,2,3]")).isFalse();
        assertThat(DocExamples.lineMatches("\"0.weight\"", "\"0.bias\"")).isFalse();
    }

    @Test
    void anEllipsisCharacterIsAnyTextAndAThreeDotLineAnyLines() {
        assertThat(DocExamples.lineMatches("{\"id\":\"…\",\"status\":\"running\"}", "{\"id\":\"e727-12\",\"status\":\"running\"}")).isTrue();
        assertThat(DocExamples.matches(List.of("a", "...", "z"), List.of("a", "b", "c", "z"))).isTrue();
        assertThat(DocExamples.matches(List.of("a", "...", "z"), List.of("a", "z"))).isTrue();
        assertThat(DocExamples.matches(List.of("a", "z"), List.of("a", "b", "z"))).isFalse();
        assertThat(DocExamples.matches(List.of("a"), List.of())).isFalse();
    }

    @Test
    void theOutputIsSplitAtTheMarkers() {
        DocExamples d = DocExamples.parse("```sh test\necho 1\n```\n```sh test\n```\n");
        assertThat(d.split(DocExamples.marker(0) + "\n1\n" + DocExamples.marker(1) + "\n"))
                .containsExactly(List.of("1"), List.of());
    }
}

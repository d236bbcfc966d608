package io.paramlab;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The layering of STYLE.md: api -> model -> store/spec -> nn -> init -> tensor, and no Spring below model but in store. */
@AnalyzeClasses(packages = "io.paramlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("io.paramlab.api..")
            .layer("model").definedBy("io.paramlab.model..")
            .layer("store").definedBy("io.paramlab.store..")
            .layer("spec").definedBy("io.paramlab.spec..")
            .layer("nn").definedBy("io.paramlab.nn..")
            .layer("init").definedBy("io.paramlab.init..")
            .layer("tensor").definedBy("io.paramlab.tensor..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("model").mayOnlyBeAccessedByLayers("api")
            .whereLayer("store").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("spec").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("nn").mayOnlyBeAccessedByLayers("api", "model", "spec", "store")
            .whereLayer("init").mayOnlyBeAccessedByLayers("api", "model", "spec", "nn")
            .whereLayer("tensor").mayOnlyBeAccessedByLayers("api", "model", "spec", "nn", "init");

    @ArchTest
    static final ArchRule engineHasNoFramework = noClasses()
            .that().resideInAnyPackage("io.paramlab.tensor..", "io.paramlab.nn..", "io.paramlab.init..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "tools.jackson..", "com.fasterxml..");
}

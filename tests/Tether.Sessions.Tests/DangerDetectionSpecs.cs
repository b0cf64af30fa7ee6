namespace Tether.Sessions.Tests;

// Issue 6: danger detection works on each simple command of a compound line, case-insensitively, with presets and
// custom patterns. rec 0.2 anchored its patterns at the start of the line and was case-sensitive
// (it missed `cd x && rm -rf y`).
public sealed class DangerDetectionSpecs
{
    // A line with one dangerous command, the rule that catches it, and the smallest preset that includes the rule.
    public static TheoryData<string, string, DangerPreset> DangerousLines => new()
    {
        // Minimal: irreversible loss of a system or its data.
        { "rm -rf /", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -r /", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -fr ~", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -r -f *", "rm_recursive_root", DangerPreset.Minimal },
        { "rm --recursive --force /etc", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -rf \"$HOME/\"", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -R /usr/*", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -r --no-preserve-root /mnt/data", "rm_recursive_root", DangerPreset.Minimal },
        { "RM -RF /", "rm_recursive_root", DangerPreset.Minimal },
        { "sudo rm -rf /*", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -rf .", "rm_recursive_root", DangerPreset.Minimal },
        { "rm -rf /tmp/../", "rm_recursive_root", DangerPreset.Minimal },
        { "chmod -R 777 /", "recursive_permissions_root", DangerPreset.Minimal },
        { "chown -R nobody /etc", "recursive_permissions_root", DangerPreset.Minimal },
        { "mkfs.ext4 /dev/sdb1", "mkfs", DangerPreset.Minimal },
        { "mkfs -t xfs /dev/nvme0n1", "mkfs", DangerPreset.Minimal },
        { "dd if=/dev/zero of=/dev/sda bs=1M", "dd_to_device", DangerPreset.Minimal },
        { "dd if=image.iso of=/dev/disk2", "dd_to_device", DangerPreset.Minimal },
        { "shred -u secrets.txt", "shred", DangerPreset.Minimal },
        { "wipefs -a /dev/sdb", "wipefs", DangerPreset.Minimal },
        { "fdisk /dev/sda", "partition_table", DangerPreset.Minimal },
        { "parted /dev/sda mklabel gpt", "partition_table", DangerPreset.Minimal },
        { "cat image.img > /dev/sdb", "write_to_device", DangerPreset.Minimal },
        { "echo x | tee /dev/nvme0n1", "write_to_device", DangerPreset.Minimal },
        { "> /dev/sda", "write_to_device", DangerPreset.Minimal },
        { ":(){ :|:& };:", "fork_bomb", DangerPreset.Minimal },
        { "bomb() { bomb | bomb & }; bomb", "fork_bomb", DangerPreset.Minimal },
        { "echo 'unterminated", "unparsed_line", DangerPreset.Minimal },

        // Moderate: what loses work or takes things down.
        { "rm -rf build", "rm_recursive_force", DangerPreset.Moderate },
        { "rm -fr node_modules", "rm_recursive_force", DangerPreset.Moderate },
        { "rm -r -f dist", "rm_recursive_force", DangerPreset.Moderate },
        { "rm --recursive --force target", "rm_recursive_force", DangerPreset.Moderate },
        { "rm -Rf ./out", "rm_recursive_force", DangerPreset.Moderate },
        { "rm --rec --for tmp", "rm_recursive_force", DangerPreset.Moderate },
        { "rm dist -rf", "rm_recursive_force", DangerPreset.Moderate },
        { "find / -name core -delete", "find_delete", DangerPreset.Moderate },
        { "git push --force origin main", "git_force_push", DangerPreset.Moderate },
        { "git push -f", "git_force_push", DangerPreset.Moderate },
        { "git push origin +main", "git_force_push", DangerPreset.Moderate },
        { "git -C repo push -uf origin main", "git_force_push", DangerPreset.Moderate },
        { "git reset --hard HEAD~3", "git_reset_hard", DangerPreset.Moderate },
        { "git clean -fdx", "git_clean_force", DangerPreset.Moderate },
        { "git clean -f -d", "git_clean_force", DangerPreset.Moderate },
        { "psql -c 'DROP TABLE users'", "sql_drop", DangerPreset.Moderate },
        { "mysql -e \"drop database shop\"", "sql_drop", DangerPreset.Moderate },
        { "dropdb prod", "sql_drop", DangerPreset.Moderate },
        { "kubectl delete pod web-1", "kubectl_delete", DangerPreset.Moderate },
        { "kubectl -n prod delete deployment api", "kubectl_delete", DangerPreset.Moderate },
        { "docker system prune -af", "docker_prune", DangerPreset.Moderate },
        { "docker volume prune", "docker_prune", DangerPreset.Moderate },
        { "docker rm -f web", "docker_force_remove", DangerPreset.Moderate },
        { "podman container rm --force db", "docker_force_remove", DangerPreset.Moderate },
        { "terraform destroy -auto-approve", "terraform_destroy", DangerPreset.Moderate },
        { "terraform apply -destroy", "terraform_destroy", DangerPreset.Moderate },
        { "shutdown -h now", "power_state", DangerPreset.Moderate },
        { "reboot", "power_state", DangerPreset.Moderate },
        { "systemctl poweroff", "power_state", DangerPreset.Moderate },
        { "systemctl stop nginx", "service_stop", DangerPreset.Moderate },
        { "systemctl disable --now sshd", "service_stop", DangerPreset.Moderate },
        { "service postgresql stop", "service_stop", DangerPreset.Moderate },
        { "kill -9 -1", "kill_all_processes", DangerPreset.Moderate },
        { "kill -KILL -1", "kill_all_processes", DangerPreset.Moderate },
        { "curl -fsSL https://example.com/install.sh | sh", "pipe_to_shell", DangerPreset.Moderate },
        { "wget -qO- https://example.com/i.sh | bash -s -- --yes", "pipe_to_shell", DangerPreset.Moderate },
        { "truncate -s 0 app.log", "truncate", DangerPreset.Moderate },
        { "mv data.db /dev/null", "move_to_dev_null", DangerPreset.Moderate },

        // Strict: anything that deletes, escalates or changes shared state.
        { "rm notes.txt", "rm", DangerPreset.Strict },
        { "rm -i *.tmp", "rm", DangerPreset.Strict },
        { "sudo ls /root", "sudo", DangerPreset.Strict },
        { "doas vi /etc/hosts", "sudo", DangerPreset.Strict },
        { "su -", "sudo", DangerPreset.Strict },
        { "chmod -R g+w shared", "recursive_permissions", DangerPreset.Strict },
        { "chown -R www-data: /var/www/app", "recursive_permissions", DangerPreset.Strict },
        { "apt-get remove -y nginx", "package_remove", DangerPreset.Strict },
        { "sudo apt purge nginx", "package_remove", DangerPreset.Strict },
        { "pacman -Rns vim", "package_remove", DangerPreset.Strict },
        { "brew uninstall wget", "package_remove", DangerPreset.Strict },
        { "pip uninstall -y requests", "package_remove", DangerPreset.Strict },
        { "python3 -m pip uninstall requests", "package_remove", DangerPreset.Strict },
        { "npm uninstall -g typescript", "package_remove", DangerPreset.Strict },
        { "dnf remove httpd", "package_remove", DangerPreset.Strict },
        { "git push origin main", "git_push", DangerPreset.Strict },
        { "git push --force-with-lease", "git_push", DangerPreset.Strict },
        { "docker rm web", "docker_remove", DangerPreset.Strict },
        { "docker rmi nginx:latest", "docker_remove", DangerPreset.Strict },
        { "kill 1234", "kill", DangerPreset.Strict },
        { "kill -1 1234", "kill", DangerPreset.Strict },
        { "pkill -f server", "kill", DangerPreset.Strict },
        { "killall node", "kill", DangerPreset.Strict },
        { "crontab -r", "crontab_remove", DangerPreset.Strict },
        { "echo 127.0.0.1 box > /etc/hosts", "overwrite_system_file", DangerPreset.Strict },
        { "echo deb x | sudo tee /etc/apt/sources.list", "overwrite_system_file", DangerPreset.Strict },
    };

    [Theory]
    [MemberData(nameof(DangerousLines))]
    public void Each_preset_catches_its_own_commands_and_those_of_the_presets_below_it_but_none_above(
        string line, string rule, DangerPreset lowest)
    {
        foreach (var preset in Enum.GetValues<DangerPreset>())
        {
            // Act
            var findings = DangerCheck.Check(line, DangerRules.For(preset));

            // Assert
            if (preset < lowest)
            {
                Assert.True(findings.Count == 0, $"{preset} flagged '{line}': {string.Join("; ", findings)}");
            }
            else
            {
                var finding = Assert.Single(findings);
                Assert.Equal(rule, finding.RuleId);
                Assert.False(string.IsNullOrWhiteSpace(finding.Reason));
            }
        }
    }

    // A compound line, the rule that catches its one dangerous command under Moderate, and that command's text.
    public static TheoryData<string, string, string> CompoundLines => new()
    {
        { "cd x && rm -rf y", "rm_recursive_force", "rm -rf y" },
        { "true; RM -RF /tmp/x", "rm_recursive_force", "RM -RF /tmp/x" },
        { "echo ok | sudo rm -rf /", "rm_recursive_root", "sudo rm -rf /" },
        { "(cd /; rm -rf *)", "rm_recursive_root", "rm -rf *" },
        { "$(rm -rf ~)", "rm_recursive_root", "rm -rf ~" },
        { "bash -c 'rm -rf /'", "rm_recursive_root", "rm -rf /" },
        { "env FOO=1 rm -rf /x", "rm_recursive_force", "env FOO=1 rm -rf /x" },
        { "sudo -u root rm -rf /x", "rm_recursive_force", "sudo -u root rm -rf /x" },
        { "ls || rm -rf build", "rm_recursive_force", "rm -rf build" },
        { "make & rm -rf build", "rm_recursive_force", "rm -rf build" },
        { "echo start\nrm -rf build", "rm_recursive_force", "rm -rf build" },
        { "{ rm -rf build; }", "rm_recursive_force", "rm -rf build" },
        { "if true; then rm -rf build; fi", "rm_recursive_force", "rm -rf build" },
        { "for d in a b; do rm -rf \"$d\"; done", "rm_recursive_force", "rm -rf \"$d\"" },
        { "x=`rm -rf build`", "rm_recursive_force", "rm -rf build" },
        { "echo \"$(rm -rf build)\"", "rm_recursive_force", "rm -rf build" },
        { "echo ${x:-$(rm -rf build)}", "rm_recursive_force", "rm -rf build" },
        { "sh -c \"cd /srv && rm -rf app\"", "rm_recursive_force", "rm -rf app" },
        { "sudo sh -c 'rm -rf build'", "rm_recursive_force", "rm -rf build" },
        { "bash -lc 'rm -rf build'", "rm_recursive_force", "rm -rf build" },
        { "nohup nice -n 10 rm -rf build &", "rm_recursive_force", "nohup nice -n 10 rm -rf build" },
        { "FOO=1 BAR=2 rm -rf build", "rm_recursive_force", "FOO=1 BAR=2 rm -rf build" },
        { "find . -print0 | xargs -0 rm -rf", "rm_recursive_force", "xargs -0 rm -rf" },
        { "timeout 10 rm -rf build", "rm_recursive_force", "timeout 10 rm -rf build" },
        { "command rm -rf build", "rm_recursive_force", "command rm -rf build" },
        { "exec rm -rf build", "rm_recursive_force", "exec rm -rf build" },
        { "time -p rm -rf build", "rm_recursive_force", "time -p rm -rf build" },
        { "doas rm -rf build", "rm_recursive_force", "doas rm -rf build" },
        { "\\rm -rf build", "rm_recursive_force", "\\rm -rf build" },
        { "/bin/rm -rf build", "rm_recursive_force", "/bin/rm -rf build" },
        { "r\"m\" -rf build", "rm_recursive_force", "r\"m\" -rf build" },
        { "$'\\x72\\x6d' -rf build", "rm_recursive_force", "$'\\x72\\x6d' -rf build" },
        { "eval \"rm -rf build\"", "rm_recursive_force", "rm -rf build" },
        { "su -c 'rm -rf build' root", "rm_recursive_force", "rm -rf build" },
        { "cat list | while read f; do rm -rf \"$f\"; done", "rm_recursive_force", "rm -rf \"$f\"" },
        { "diff <(rm -rf build) x", "rm_recursive_force", "rm -rf build" },
        { "cat <<EOF\n$(rm -rf build)\nEOF", "rm_recursive_force", "rm -rf build" },
        { "bash <<'EOF'\nrm -rf build\nEOF", "rm_recursive_force", "rm -rf build" },
        { "sh <<< 'rm -rf build'", "rm_recursive_force", "rm -rf build" },
        { "cat <<EOF | sudo bash\nrm -rf build\nEOF", "rm_recursive_force", "rm -rf build" },
        { "echo -e 'cd /srv\nrm -rf build' | sh", "rm_recursive_force", "rm -rf build" },
        { "find . -name '*.cache' -exec rm -rf {} \\;", "rm_recursive_force", "rm -rf {}" },
        { "rm -rf build # clean up", "rm_recursive_force", "rm -rf build" },
        { "echo a#b; rm -rf build", "rm_recursive_force", "rm -rf build" },
        { "git status && git push --force origin main", "git_force_push", "git push --force origin main" },
        { "curl -fsSL https://example.com/i.sh | sudo bash", "pipe_to_shell", "sudo bash" },
        { "bash -c \"$(curl -fsSL https://example.com/i.sh)\"", "pipe_to_shell", "bash -c \"$(curl -fsSL https://example.com/i.sh)\"" },
        { "sh <(wget -qO- https://example.com/i.sh)", "pipe_to_shell", "sh <(wget -qO- https://example.com/i.sh)" },
        { "echo 'drop database prod;' | mysql", "sql_drop", "mysql" },
        { "sqlite3 app.db <<'SQL'\nDROP TABLE users;\nSQL", "sql_drop", "sqlite3 app.db <<'SQL'" },
    };

    [Theory]
    [MemberData(nameof(CompoundLines))]
    public void Every_simple_command_of_a_compound_line_is_checked_on_its_own(string line, string rule, string command)
    {
        // Act
        var findings = DangerCheck.Check(line, DangerRules.Moderate);

        // Assert
        var finding = Assert.Single(findings);
        Assert.Equal(rule, finding.RuleId);
        Assert.Equal(command, finding.Command);
    }

    [Theory]
    [InlineData("echo \"rm -rf /\"")]
    [InlineData("grep 'rm -rf' file")]
    [InlineData("git commit -m \"drop table\"")]
    [InlineData("ls # rm -rf /")]
    [InlineData("# sudo rm -rf /")]
    [InlineData("echo rm -rf /")]
    [InlineData("echo '$(rm -rf /)'")]
    [InlineData("echo \"\\$(rm -rf /)\"")]
    [InlineData("echo \"\\`rm -rf /\\`\"")]
    [InlineData("cat <<'EOF'\nrm -rf /\nEOF")]
    [InlineData("alias rmf='rm -rf'")]
    [InlineData("history | grep 'sudo rm'")]
    [InlineData("arr=(rm -rf /)")]
    [InlineData("command -v rm")]
    [InlineData("man rm")]
    [InlineData("git status")]
    [InlineData("kubectl get pods -n prod")]
    [InlineData("docker ps -a")]
    [InlineData("terraform plan")]
    [InlineData("systemctl status nginx")]
    [InlineData("shutdown -c")]
    [InlineData("fdisk -l")]
    [InlineData("wipefs /dev/sda")]
    [InlineData("dd if=/dev/zero of=disk.img bs=1M count=10")]
    [InlineData("echo hi > /dev/null")]
    [InlineData("ls 2>/dev/null >&2")]
    [InlineData("curl -fsSL https://example.com/data.json | jq .")]
    [InlineData("curl -o install.sh https://example.com/install.sh")]
    [InlineData("printf 'DROP TABLE users'")]
    [InlineData("psql -c 'select 1'")]
    [InlineData("chmod 644 notes.txt")]
    [InlineData("mv a.txt b.txt")]
    [InlineData("f() { echo hi; }; f")]
    [InlineData("echo $((1 + 2))")]
    [InlineData("tar czf backup.tgz ~/projects")]
    [InlineData("find . -name '*.tmp' -print")]
    [InlineData("echo hello | bash -c 'cat'")]
    [InlineData("bash deploy.sh < input.txt")]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void Quoted_text_comments_and_harmless_commands_are_not_flagged_even_by_the_strict_preset(string line)
    {
        // Act
        var findings = DangerCheck.Check(line, DangerRules.Strict);

        // Assert
        Assert.True(findings.Count == 0, string.Join("; ", findings));
    }

    [Fact]
    public void A_finding_points_at_the_offending_command_in_the_line()
    {
        // Act
        var compound = Assert.Single(DangerCheck.Check("cd x && rm -rf y", DangerRules.Moderate));
        var nested = Assert.Single(DangerCheck.Check("bash -c 'rm -rf /'", DangerRules.Minimal));

        // Assert
        Assert.Equal((8, 8), (compound.Start, compound.Length));
        Assert.Equal((9, 8), (nested.Start, nested.Length));
    }

    [Fact]
    public void A_command_in_an_escaped_script_reports_its_unquoted_text_and_its_span_in_the_line()
    {
        // Arrange
        const string line = "bash -c \"rm -rf \\\"/x\\\"\"";

        // Act
        var finding = Assert.Single(DangerCheck.Check(line, DangerRules.Moderate));

        // Assert
        Assert.Equal("rm -rf \"/x\"", finding.Command);
        Assert.Equal("rm -rf \\\"/x\\\"", line.Substring(finding.Start, finding.Length));
    }

    [Fact]
    public void Every_dangerous_command_of_a_line_is_reported_once_with_its_gravest_rule_in_line_order()
    {
        // Act
        var findings = DangerCheck.Check("sudo rm -rf / ; git push -f && rm x", DangerRules.Strict);

        // Assert
        Assert.Equal(
            [("rm_recursive_root", "sudo rm -rf /"), ("git_force_push", "git push -f"), ("rm", "rm x")],
            findings.Select(f => (f.RuleId, f.Command)));
    }

    [Theory]
    [InlineData("echo \"rm -rf /")]
    [InlineData("echo 'it''s")]
    [InlineData("echo $(date")]
    [InlineData("echo `date")]
    [InlineData("echo ${HOME")]
    [InlineData("echo $'abc")]
    [InlineData("(cd /tmp")]
    [InlineData("cat >")]
    public void A_line_that_does_not_parse_is_flagged_as_a_whole_without_an_exception(string line)
    {
        // Act
        var parsed = ShellLine.Parse(line);
        var findings = DangerCheck.Check(line, DangerRules.Minimal);

        // Assert
        Assert.False(parsed.IsComplete);
        var finding = Assert.Single(findings);
        Assert.Equal("unparsed_line", finding.RuleId);
        Assert.Equal(line, finding.Command);
        Assert.Equal((0, line.Length), (finding.Start, finding.Length));
    }

    [Fact]
    public void The_readable_part_of_a_line_that_does_not_parse_is_still_checked()
    {
        // Act
        var findings = DangerCheck.Check("rm -rf / 'oops", DangerRules.Minimal);

        // Assert
        Assert.Equal(["unparsed_line", "rm_recursive_root"], findings.Select(f => f.RuleId));
    }

    [Fact]
    public void The_unparsed_line_rule_can_be_left_out()
    {
        // Arrange
        var rules = DangerRules.Strict.Without("unparsed_line");

        // Act
        var findings = DangerCheck.Check("echo \"unterminated", rules);

        // Assert
        Assert.Empty(findings);
        Assert.DoesNotContain(rules.Rules, r => r.Id == "unparsed_line");
        Assert.Contains(DangerRules.Strict.Rules, r => r.Id == "unparsed_line");
    }

    [Theory]
    [InlineData("cd app && deploy prod", "deploy prod")]
    [InlineData("DEPLOY   PROD --now", "DEPLOY   PROD --now")]
    [InlineData("sudo deploy prod", "sudo deploy prod")]
    [InlineData("true; (deploy prod)", "deploy prod")]
    [InlineData("bash -c 'deploy prod'", "deploy prod")]
    public void A_custom_pattern_is_matched_case_insensitively_against_each_simple_command(string line, string command)
    {
        // Arrange
        var rules = DangerRules.Minimal.WithPattern("deploy_prod", @"^deploy\s+prod\b", "deploys to production");

        // Act
        var finding = Assert.Single(DangerCheck.Check(line, rules));

        // Assert
        Assert.Equal("deploy_prod", finding.RuleId);
        Assert.Equal("deploys to production", finding.Reason);
        Assert.Equal(command, finding.Command);
    }

    [Theory]
    [InlineData("echo deploy prod")]
    [InlineData("echo 'cd app && deploy prod'")]
    [InlineData("deploy staging")]
    public void A_custom_pattern_anchored_at_the_start_does_not_match_inside_another_command(string line)
    {
        // Arrange
        var rules = DangerRules.Minimal.WithPattern("deploy_prod", @"^deploy\s+prod\b", "deploys to production");

        // Act
        var findings = DangerCheck.Check(line, rules);

        // Assert
        Assert.Empty(findings);
    }

    [Fact]
    public void Custom_patterns_from_the_configuration_follow_the_preset_in_the_order_given()
    {
        // Arrange
        var rules = DangerRules.FromConfig(DangerPreset.Moderate,
        [
            new DangerPattern("prod_db", "prod-db", "touches the production database"),
            new DangerPattern("helm_uninstall", @"^helm\s+uninstall", "removes a Helm release"),
        ]);

        // Act
        var findings = DangerCheck.Check("psql -h prod-db -c 'select 1'; helm uninstall web; rm -rf build", rules);

        // Assert
        Assert.Equal(["prod_db", "helm_uninstall"], rules.Rules.TakeLast(2).Select(r => r.Id));
        Assert.All(rules.Rules.TakeLast(2), r => Assert.True(r.IsCustom));
        Assert.Equal(DangerRules.Moderate.Rules.Length + 2, rules.Rules.Length);
        Assert.Equal(["prod_db", "helm_uninstall", "rm_recursive_force"], findings.Select(f => f.RuleId));
    }

    [Fact]
    public void A_built_in_rule_is_reported_before_a_custom_pattern_that_matches_the_same_command()
    {
        // Arrange
        var rules = DangerRules.Minimal.WithPattern("any_rm", @"\brm\b", "deletes");

        // Act
        var root = Assert.Single(DangerCheck.Check("rm -rf /", rules));
        var plain = Assert.Single(DangerCheck.Check("rm notes.txt", rules));

        // Assert
        Assert.Equal("rm_recursive_root", root.RuleId);
        Assert.Equal("any_rm", plain.RuleId);
    }

    [Theory]
    [InlineData("bad_regex", "(unclosed", "reason")]
    [InlineData("rm", "x", "reason")]
    [InlineData("has space", "x", "reason")]
    [InlineData("", "x", "reason")]
    [InlineData("no_reason", "x", " ")]
    public void An_invalid_custom_pattern_is_refused_with_the_reason(string id, string pattern, string reason)
    {
        // Act
        var error = Assert.ThrowsAny<ArgumentException>(() => DangerRules.Strict.WithPattern(id, pattern, reason));

        // Assert
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Adding_a_pattern_leaves_the_preset_unchanged()
    {
        // Act
        var custom = DangerRules.Minimal.WithPattern("x", "x", "x");

        // Assert
        Assert.Equal(DangerRules.Minimal.Rules.Length + 1, custom.Rules.Length);
        Assert.DoesNotContain(DangerRules.Minimal.Rules, r => r.Id == "x");
        Assert.Empty(DangerCheck.Check("x", DangerRules.Minimal));
    }

    [Fact]
    public void A_line_is_split_into_unquoted_words_without_prefixes_and_redirections()
    {
        // Act
        var commands = ShellLine.Split("FOO=1 sudo -E \"r\"m -rf '/x' 2>/dev/null && echo \"a b\"");

        // Assert
        Assert.Equal(2, commands.Length);
        Assert.Equal<string>(["rm", "-rf", "/x"], commands[0].Words);
        Assert.Equal<string>(["FOO=1", "sudo", "-E"], commands[0].Prefix);
        Assert.Equal<string>(["sudo"], commands[0].Wrappers);
        Assert.Equal(new Redirection("2>", "/dev/null"), Assert.Single(commands[0].Redirections));
        Assert.Equal("FOO=1 sudo -E \"r\"m -rf '/x' 2>/dev/null", commands[0].Text);
        Assert.Equal<string>(["echo", "a b"], commands[1].Words);
        Assert.Equal(0, commands[0].Start);
        Assert.Equal(commands[0].Text.Length, commands[0].Length);
    }

    [Fact]
    public void The_commands_of_a_pipeline_share_it_in_order_and_a_nested_script_knows_its_shell()
    {
        // Act
        var pipeline = ShellLine.Split("curl -s x | tee f | sh; ls");
        var nested = ShellLine.Split("sudo bash -c 'cd / && ls'");

        // Assert
        Assert.Equal([0, 1, 2], pipeline.Take(3).Select(c => c.Stage));
        Assert.Single(pipeline.Take(3).Select(c => c.Pipeline).Distinct());
        Assert.NotEqual(pipeline[0].Pipeline, pipeline[3].Pipeline);
        Assert.Equal(["bash", "cd", "ls"], nested.Select(c => c.Program));
        Assert.Null(nested[0].Parent);
        Assert.Same(nested[0], nested[1].Parent);
        Assert.Same(nested[0], nested[2].Parent);
    }

    [Fact]
    public void A_line_records_the_functions_it_defines_and_what_kept_it_from_parsing()
    {
        // Act
        var bomb = ShellLine.Parse(":(){ :|:& };:");
        var broken = ShellLine.Parse("echo \"open");

        // Assert
        Assert.Equal<string>([":"], bomb.Functions);
        Assert.True(bomb.IsComplete);
        Assert.Equal<string>(["unterminated double quote opened at 5"], broken.Problems);
    }

    [Fact]
    public void Nesting_too_deep_to_read_is_reported_instead_of_overflowing_the_stack()
    {
        // Arrange
        string[] lines =
        [
            new string('(', 100_000),
            string.Concat(Enumerable.Repeat("$(", 50_000)),
            string.Concat(Enumerable.Repeat("x=(", 50_000)),
            string.Concat(Enumerable.Repeat("${\"", 50_000)),
            string.Concat(Enumerable.Repeat("find . -exec ", 50_000)),
            string.Concat(Enumerable.Repeat("echo \"$(", 50_000)),
            string.Concat(Enumerable.Repeat("bash -c \"$(", 40)) + "rm -rf /" + string.Concat(Enumerable.Repeat(")\"", 40)),
        ];

        foreach (var line in lines)
        {
            // Act
            var findings = DangerCheck.Check(line, DangerRules.Strict);

            // Assert
            Assert.Equal("unparsed_line", findings[0].RuleId);
        }
    }

    [Fact]
    public void Ten_thousand_random_lines_are_checked_without_an_exception_and_every_finding_lies_inside_its_line()
    {
        // Arrange
        var random = new Random(6);
        string[] pieces =
        [
            "rm", " -rf ", "/", "~", "*", "sudo ", "env A=1 ", "bash -c ", "sh -c ", "eval ", "su -c ", "$(", ")", "(", "`",
            "'", "\"", "${", "}", "{ ", "$'", "\\", "#", ">", ">>", "2>&1", "<(", "<<EOF\n", "<<-'E'\n", "EOF", "\n", "&&",
            "||", "|", ";", "&", ";;", "x=(", "f() ", "function ", "curl x ", "| sh", "git push -f", "DROP TABLE t",
            "\\x72", "/dev/sda", " ", " ", " ", "a", "b",
        ];
        var rules = DangerRules.Strict.WithPattern("custom", @"^(a|b)+\s", "custom");

        for (var i = 0; i < 10_000; i++)
        {
            var text = new System.Text.StringBuilder();
            var count = random.Next(0, 40);
            for (var j = 0; j < count; j++)
            {
                text.Append(random.Next(4) == 0 ? (char)random.Next(0, 128) : pieces[random.Next(pieces.Length)]);
            }

            var line = text.ToString();

            // Act
            var parsed = ShellLine.Parse(line);
            var findings = DangerCheck.Check(line, rules);

            // Assert
            Assert.All(parsed.Commands, c => Assert.InRange(c.Start + c.Length, c.Start, line.Length));
            Assert.All(findings, f => Assert.InRange(f.Start + f.Length, f.Start, line.Length));
            Assert.All(findings, f => Assert.InRange(f.Start, 0, line.Length));
        }
    }
}

package antt.spark;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.CurrentUserContext;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import scala.Function1;
import scala.collection.Iterator;
import scala.runtime.BoxedUnit;

/**
 * Read-only Thrift users: a Spark SQL extension (spark.sql.extensions) whose check rule
 * refuses every command that is not a SHOW / DESCRIBE / USE / SET / EXPLAIN for a Thrift
 * session whose user is not a writer.
 *
 * The writers are listed in spark.antt.thrift.writers (comma separated; the pipeline's dbt
 * user). Every other Thrift user — Superset, analysts' `make sql`, anyone who connects —
 * reads only. Sessions that are not Thrift sessions (Spark Connect: the pipeline's jobs)
 * carry no Thrift user and are not affected.
 *
 * The user is the one the client names (the local profile's Thrift server takes any
 * name): this keeps the connection the dashboards use from writing whatever Superset does;
 * it does not authenticate. Production puts LDAP or Kerberos in front of it
 * (hive.server2.authentication), see the README.
 */
public final class ThriftWriteGuard implements Function1<SparkSessionExtensions, BoxedUnit> {

    public static final String WRITERS_CONF = "spark.antt.thrift.writers";

    private static final Set<String> READ_ONLY_COMMANDS = new HashSet<>(Arrays.asList(
        "SetCommand", "ResetCommand", "SetCatalogAndNamespace", "SetNamespaceCommand",
        "ExplainCommand"));

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectCheckRule(ThriftWriteGuard::rule);
        return BoxedUnit.UNIT;
    }

    private static Function1<LogicalPlan, BoxedUnit> rule(SparkSession session) {
        return plan -> {
            check(session, plan);
            return BoxedUnit.UNIT;
        };
    }

    static void check(SparkSession session, LogicalPlan plan) {
        String user = CurrentUserContext.CURRENT_USER().get();
        if (user == null || user.isEmpty()) {
            return;  // not a Thrift session
        }
        if (writers(session).contains(user.toLowerCase(Locale.ROOT))) {
            return;
        }
        String refused = firstWrite(plan);
        if (refused != null) {
            throw new SecurityException(
                "ANTT: Thrift user '" + user + "' reads only; " + refused + " refused "
                + "(chỉ được đọc: người dùng này không được ghi, xóa hay tạo bảng). Writers: "
                + WRITERS_CONF + "=" + session.conf().get(WRITERS_CONF, ""));
        }
    }

    private static Set<String> writers(SparkSession session) {
        Set<String> names = new HashSet<>();
        for (String name : session.conf().get(WRITERS_CONF, "").split(",")) {
            if (!name.trim().isEmpty()) {
                names.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** The name of the first node that would change something, or null for a read. */
    static String firstWrite(LogicalPlan plan) {
        String name = plan.getClass().getSimpleName();
        if (plan instanceof InsertIntoStatement) {
            return name;
        }
        if (plan instanceof Command && !(name.startsWith("Show") || name.startsWith("Describe")
                || READ_ONLY_COMMANDS.contains(name))) {
            return name;
        }
        Iterator<LogicalPlan> children = plan.children().iterator();
        while (children.hasNext()) {
            String found = firstWrite(children.next());
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}

import java.io.File;
public class Learner {
    public static void main(String[] a) throws Exception {
        new File(a[0], "nothing-here").delete(); // a sink: learned into the policy
        Thread.sleep(7_500);                     // past the 5 s flush, while the test deletes the file
        System.out.println("done");
    }
}

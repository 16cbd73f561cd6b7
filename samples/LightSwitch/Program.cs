System.Console.WriteLine("LightSwitch sample: coming with the SQLite store.");

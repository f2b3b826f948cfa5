import journal from './meta/_journal.json';
import m0000 from './0000_init.sql';
import m0001 from './0001_sign_in.sql';
import m0002 from './0002_token_lifecycle.sql';
import m0003 from './0003_request_load.sql';
import m0004 from './0004_hot_path_rows.sql';
import m0005 from './0005_device_requests.sql';
import m0006 from './0006_dpop.sql';
import m0007 from './0007_boring_onslaught.sql';
import m0008 from './0008_quick_meggan.sql';
import m0009 from './0009_blushing_sister_grimm.sql';
import m0010 from './0010_dizzy_firebrand.sql';
import m0011 from './0011_vengeful_ken_ellis.sql';
import m0012 from './0012_spotty_gamora.sql';
import m0013 from './0013_keen_echo.sql';
import m0014 from './0014_woozy_shinko_yamashiro.sql';
import m0015 from './0015_fantastic_puppet_master.sql';
import m0016 from './0016_lucky_mole_man.sql';
import m0017 from './0017_light_raider.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007,
m0008,
m0009,
m0010,
m0011,
m0012,
m0013,
m0014,
m0015,
m0016,
m0017
    }
  }
  